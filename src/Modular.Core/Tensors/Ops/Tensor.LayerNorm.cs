using Modular.Tensors.Kernels;
using static Modular.Tensors.Autograd.Autograd;

namespace Modular.Tensors;

// Layer normalisation over the last dimension.
public partial class Tensor
{
    /// <summary>
    /// Normalises the last dimension to zero mean and unit (biased) variance, then scales by
    /// <paramref name="weight"/> and shifts by <paramref name="bias"/> when given: (x − μ)/√(σ² + ε)·γ + β.
    /// </summary>
    public Tensor LayerNorm(Tensor? weight = null, Tensor? bias = null, float eps = 1e-5f)
    {
        CheckNotDisposed(this, "LayerNorm");
        if (shape.Length == 0) throw new ShapeMismatchException("LayerNorm needs at least one dimension.");
        int n = shape[^1], rows = n == 0 ? 0 : Count / n;
        if (weight is not null && (weight.Rank != 1 || weight.shape[0] != n))
            throw new ShapeMismatchException($"LayerNorm: weight {weight.Describe()} must be [{n}] to match the last dimension of {Describe()}.");
        if (bias is not null && (bias.Rank != 1 || bias.shape[0] != n))
            throw new ShapeMismatchException($"LayerNorm: bias {bias.Describe()} must be [{n}] to match the last dimension of {Describe()}.");
        if (bias is not null && weight is null) throw new ShapeMismatchException("LayerNorm: a bias needs a weight too.");
        var backend = SameDevice("LayerNorm", this, weight, bias);
        var x = Contiguous();
        var y = Empty(shape, backend);
        var mean = Empty([rows], backend);
        var rstd = Empty([rows], backend);
        var gamma = weight?.Contiguous();
        var beta = bias?.Contiguous();
        backend.LayerNorm(x, gamma, beta, y, mean, rstd, rows, n, eps);
        var inputs = weight is null ? [this] : bias is null ? new[] { this, weight } : [this, weight, bias];
        if (NeedsGrad(inputs))
        {
            Record(y, "LayerNorm", g =>
            {
                var gc = g.Contiguous();
                var dx = RequiresGrad ? Empty(shape, backend) : null;
                var dgamma = weight is { RequiresGrad: true } ? FullLike([n], 0f) : null;
                var dbeta = bias is { RequiresGrad: true } ? FullLike([n], 0f) : null;
                backend.LayerNormBackward(x, gamma, mean, rstd, gc, dx, dgamma, dbeta, rows, n, eps);
                if (dx is not null) Accumulate(this, dx);
                if (dgamma is not null) Accumulate(weight!, dgamma);
                if (dbeta is not null) Accumulate(bias!, dbeta);
            }, inputs);
        }
        return y;
    }
}
