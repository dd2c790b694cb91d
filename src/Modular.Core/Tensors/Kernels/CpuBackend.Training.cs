using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Modular.Tensors.Kernels.Operators;

namespace Modular.Tensors.Kernels;

/// <summary>Kernels of the training loop: the fused cross-entropy and the optimiser update.</summary>
internal sealed unsafe partial class CpuBackend
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (double Sum, int Count) CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int rows, int classes, int ignoreIndex, float smoothing, Span<float> logProbabilities)
    {
        Softmax(logits, logProbabilities, rows, classes, log: true);
        double sum = 0;
        int count = 0;
        for (int r = 0; r < rows; r++)
        {
            int t = targets[r];
            if (t == ignoreIndex) continue;
            var lp = logProbabilities.Slice(r * classes, classes);
            double loss = -(1.0 - smoothing) * lp[t];
            if (smoothing != 0f) loss -= smoothing / classes * TensorPrimitives.Sum(lp);
            sum += loss;
            count++;
        }
        return (sum, count);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CrossEntropyBackward(ReadOnlySpan<float> logProbabilities, ReadOnlySpan<int> targets, int rows, int classes, int ignoreIndex, float smoothing, float scale, Span<float> dLogits)
    {
        for (int r = 0; r < rows; r++)
        {
            var d = dLogits.Slice(r * classes, classes);
            int t = targets[r];
            if (t == ignoreIndex)
            {
                d.Clear();
                continue;
            }
            // ∂/∂z of −Σ q log softmax(z) is softmax(z) − q, with q = (1 − ε)·onehot + ε/classes
            ElementwiseLoops.Unary(default(ExpOperator), logProbabilities.Slice(r * classes, classes), d);
            if (smoothing != 0f) TensorPrimitives.Subtract(d, smoothing / classes, d);
            d[t] -= 1f - smoothing;
            TensorPrimitives.Multiply(d, scale, d);
        }
    }

    private struct AdamJob
    {
        public float* Parameter, Gradient, FirstMoment, SecondMoment;
        public AdamStep Step;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AdamUpdate(Span<float> parameter, ReadOnlySpan<float> gradient, Span<float> firstMoment, Span<float> secondMoment, in AdamStep step)
    {
        fixed (float* p = parameter, g = gradient, m = firstMoment, v = secondMoment)
        {
            var job = new AdamJob { Parameter = p, Gradient = g, FirstMoment = m, SecondMoment = v, Step = step };
            ComputeThreads.For(parameter.Length, ParallelElements, &job, &AdamChunk);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AdamChunk(void* state, int start, int end)
    {
        ref var job = ref Unsafe.AsRef<AdamJob>(state);
        int count = end - start;
        AdamUpdate(new Span<float>(job.Parameter + start, count), new ReadOnlySpan<float>(job.Gradient + start, count),
            new Span<float>(job.FirstMoment + start, count), new Span<float>(job.SecondMoment + start, count), job.Step);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AdamUpdate(Span<float> parameter, ReadOnlySpan<float> gradient, Span<float> firstMoment, Span<float> secondMoment, AdamStep step)
    {
        // PyTorch: m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; p ← p − (lr/bc₁)·m / (√v/√bc₂ + ε),
        // with L2 weight decay folded into g (Adam) or applied as p ← p·(1 − lr·wd) first (AdamW).
        float b1 = step.Beta1, b1c = step.OneMinusBeta1, b2 = step.Beta2, b2c = step.OneMinusBeta2, eps = step.Eps;
        float l2 = step.L2, decay = step.Decay, stepSize = step.StepSize, sqrtBc2 = step.SqrtBiasCorrection2;
        int n = parameter.Length, i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vb1 = Vector512.Create(b1); var vb1c = Vector512.Create(b1c);
            var vb2 = Vector512.Create(b2); var vb2c = Vector512.Create(b2c);
            var vl2 = Vector512.Create(l2); var vdecay = Vector512.Create(decay);
            var vstep = Vector512.Create(stepSize); var vbc2 = Vector512.Create(sqrtBc2); var veps = Vector512.Create(eps);
            for (; i <= n - 16; i += 16)
            {
                var p = Vector512.Create(parameter.Slice(i, 16));
                var g = Vector512.FusedMultiplyAdd(vl2, p, Vector512.Create(gradient.Slice(i, 16)));
                var m = Vector512.FusedMultiplyAdd(vb1, Vector512.Create(firstMoment.Slice(i, 16)), vb1c * g);
                var v = Vector512.FusedMultiplyAdd(vb2, Vector512.Create(secondMoment.Slice(i, 16)), vb2c * g * g);
                p = p * vdecay - vstep * m / (Vector512.Sqrt(v) / vbc2 + veps);
                m.CopyTo(firstMoment.Slice(i, 16));
                v.CopyTo(secondMoment.Slice(i, 16));
                p.CopyTo(parameter.Slice(i, 16));
            }
        }
        for (; i < n; i++)
        {
            float p = parameter[i];
            float g = gradient[i] + l2 * p;
            float m = b1 * firstMoment[i] + b1c * g;
            float v = b2 * secondMoment[i] + b2c * g * g;
            firstMoment[i] = m;
            secondMoment[i] = v;
            parameter[i] = p * decay - stepSize * m / (MathF.Sqrt(v) / sqrtBc2 + eps);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double SumOfSquares(ReadOnlySpan<float> values)
    {
        double sum = 0;
        const int Block = 4096; // accumulate blocks in double so long gradients keep their precision
        for (int i = 0; i < values.Length; i += Block) sum += TensorPrimitives.SumOfSquares(values.Slice(i, Math.Min(Block, values.Length - i)));
        return sum;
    }
}
