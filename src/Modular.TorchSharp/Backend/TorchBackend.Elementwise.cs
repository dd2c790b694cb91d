using Modular.Tensors.Kernels;
using static TorchSharp.torch;
using TorchTensor = TorchSharp.torch.Tensor;
using Tensor = Modular.Tensors.Tensor;

namespace Modular.TorchSharp.Backend;

// Element-wise kernels: libtorch broadcasts a and b to y's shape itself; a result of another shape is broadcast by
// the copy into y (Write).
internal sealed partial class TorchBackend
{
    public override void AddInPlace(Tensor dst, Tensor src)
    {
        using var scope = Kernel();
        View(dst).add_(View(src), Fixed.One);
    }

    public override void ScaledAddInPlace(Tensor dst, Tensor src, float alpha)
    {
        using var scope = Kernel();
        View(dst).add_(View(src), S(alpha));
    }

    public override void Unary(UnaryKind kind, Tensor x, Tensor y, float p0 = 0, float p1 = 0)
    {
        using var scope = Kernel();
        var v = View(x);
        Write(y, kind switch
        {
            UnaryKind.Neg => v.neg(),
            UnaryKind.Exp => v.exp(),
            UnaryKind.Log => v.log(),
            UnaryKind.Sqrt => v.sqrt(),
            UnaryKind.Abs => v.abs(),
            UnaryKind.Relu => v.relu(),
            UnaryKind.Gelu => nn.functional.gelu(v),
            UnaryKind.Tanh => v.tanh(),
            UnaryKind.Sigmoid => v.sigmoid(),
            UnaryKind.Softplus => nn.functional.softplus(v),
            UnaryKind.Affine => p1 == 0f ? v.mul(S(p0)) : v.mul(S(p0)).add_(S(p1), Fixed.One),
            UnaryKind.Clamp => v.clamp(S(p0), S(p1)),
            UnaryKind.Pow => v.pow(S(p0)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        });
    }

    public override void Binary(BinaryKind kind, Tensor a, Tensor b, Tensor y, float p0 = 0, float p1 = 0)
    {
        using var scope = Kernel();
        // The *Backward kinds take (forward value, gradient).
        TorchTensor va = View(a), vb = View(b);
        Write(y, kind switch
        {
            BinaryKind.Add => va.add(vb, Fixed.One),
            BinaryKind.Sub => va.sub(vb),
            BinaryKind.Mul => va.mul(vb),
            BinaryKind.Div => va.div(vb),
            BinaryKind.Max => maximum(va, vb),
            BinaryKind.Min => minimum(va, vb),
            BinaryKind.Equal => va.eq(vb).to(float32),
            BinaryKind.ReluBackward => vb.mul(va.gt(Fixed.Zero)),
            BinaryKind.TanhBackward => va.square().neg_().add_(Fixed.One, Fixed.One).mul_(vb),
            BinaryKind.SigmoidBackward => va.neg().add_(Fixed.One, Fixed.One).mul_(va).mul_(vb),
            BinaryKind.SoftplusBackward => va.sigmoid().mul_(vb),
            BinaryKind.AbsBackward => va.sign().mul_(vb),
            // GELU′(x) = Φ(x) + x·φ(x)
            BinaryKind.GeluDerivative => va.square().mul_(Fixed.MinusHalf).exp_().mul_(Fixed.InverseSqrt2Pi).mul_(va).add_(va.mul(Fixed.InverseSqrt2).erf_().add_(Fixed.One, Fixed.One).mul_(Fixed.Half), Fixed.One),
            BinaryKind.ClampBackward => vb.mul(va.ge(S(p0)).logical_and_(va.le(S(p1)))),
            BinaryKind.PowBackward => p0 == 0f ? zeros_like(vb) : va.pow(S(p0 - 1f)).mul_(S(p0)).mul_(vb),
            BinaryKind.SqrtBackward => vb.mul(Fixed.Half).div_(va),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        });
    }

    /// <summary>
    /// libtorch's fused GELU backward, reached through its autograd on a one-node graph that lives only in this kernel
    /// (TorchSharp exposes no gelu_backward): GELU recomputed and differentiated in two passes, where GELU′ spelled out
    /// in tensor operations takes ten.
    /// </summary>
    public override void GeluBackward(Tensor x, Tensor y, Tensor g, Tensor dx)
    {
        using var scope = Kernel();
        using var enabled = global::TorchSharp.torch.enable_grad();
        var input = View(x).detach().requires_grad_(true);
        var output = nn.functional.gelu(input);
        Write(dx, global::TorchSharp.torch.autograd.grad([output], [input], [View(g)])[0]);
    }

    public override void Where(Tensor condition, Tensor a, Tensor b, Tensor y)
    {
        using var scope = Kernel();
        Write(y, where(View(condition).ne(Fixed.Zero), View(a), View(b)));
    }
}
