using Modular.Tensors;
using Modular.Tensors.Kernels;
using static TorchSharp.torch;
using TorchTensor = TorchSharp.torch.Tensor;
using Tensor = Modular.Tensors.Tensor;

namespace Modular.TorchSharp.Backend;

// The training loop's kernels: cross-entropy with label smoothing and ignored rows, PyTorch's Adam/AdamW update, and
// sums of squares for gradient norms. Losses and norms accumulate in float64, as the CPU engine's do.
internal sealed partial class TorchBackend
{
    public override void CrossEntropy(Tensor logits, IntTensor targets, int rows, int classes, int ignoreIndex, float smoothing, Tensor logProbabilities, Tensor lossSum)
    {
        using var scope = Kernel();
        var lp = View(logits, rows, classes).log_softmax(1);
        var (kept, safeTargets) = Targets(targets, rows, ignoreIndex);
        // per row: −(1 − ε)·log p[target] − (ε / classes)·Σ log p
        var loss = lp.gather(1, safeTargets).squeeze(1).to(float64).mul_(S(-(1.0 - smoothing)));
        if (smoothing != 0f) loss.sub_(lp.sum(1, type: float64).mul_(S(smoothing / (double)classes)));
        Write(lossSum, loss.mul_(kept).sum().to(float32));
        Write(logProbabilities, lp);
    }

    public override void CrossEntropyBackward(Tensor logProbabilities, IntTensor targets, int rows, int classes, int ignoreIndex, float smoothing, Tensor scale, Tensor dLogits)
    {
        using var scope = Kernel();
        var (kept, safeTargets) = Targets(targets, rows, ignoreIndex);
        // softmax − q, q = (1 − ε)·onehot + ε/classes, zero on ignored rows, times the scalar scale
        var d = View(logProbabilities, rows, classes).exp();
        if (smoothing != 0f) d.sub_(S(smoothing / (double)classes));
        d.scatter_add_(1, safeTargets, full([rows, 1], S(-(1f - smoothing)), float32, TorchDevice));
        Write(dLogits, d.mul_(kept.to(float32).unsqueeze(1)).mul_(View(scale)));
    }

    /// <summary>Which rows count (1 or 0, float64) and the targets with ignored rows pointed at class 0, as [rows, 1].</summary>
    private (TorchTensor Kept, TorchTensor SafeTargets) Targets(IntTensor targets, int rows, int ignoreIndex)
    {
        var t = Indices(targets, rows, 1);
        var ignored = t.eq(S((long)ignoreIndex));
        return (ignored.logical_not().squeeze(1).to(float64), t.masked_fill(ignored, Fixed.ZeroIndex));
    }

    public override void AdamUpdate(Tensor parameter, Tensor gradient, Tensor firstMoment, Tensor secondMoment, in AdamStep step)
    {
        using var scope = Kernel();
        TorchTensor p = View(parameter), g = View(gradient), m = View(firstMoment), v = View(secondMoment);
        // PyTorch's single-tensor Adam: L2 decay folded into g (Adam) or p ← p·(1 − lr·wd) first (AdamW), then
        // m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; p ← p − (lr/bc₁)·m / (√v/√bc₂ + ε)
        if (step.L2 != 0f) g = g.add(p, S(step.L2));
        m.mul_(S(step.Beta1)).add_(g, S(step.OneMinusBeta1));
        v.mul_(S(step.Beta2)).addcmul_(g, g, S(step.OneMinusBeta2));
        if (step.Decay != 1f) p.mul_(S(step.Decay));
        p.addcdiv_(m, v.sqrt().div_(S(step.SqrtBiasCorrection2)).add_(S(step.Eps), Fixed.One), S(-step.StepSize));
    }

    public override void SumOfSquares(Tensor x, Tensor result)
    {
        using var scope = Kernel();
        var v = View(x);
        Write(result, v.to(float64).square().sum().to(float32));
    }
}
