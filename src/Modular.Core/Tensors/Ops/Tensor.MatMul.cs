using Modular.Tensors.Kernels;
using static Modular.Tensors.Autograd.Autograd;

namespace Modular.Tensors;

// Matrix products: MatMul (2-D, batched with broadcast batch dimensions, vectors) and Linear.
public partial class Tensor
{
    /// <summary>
    /// Matrix product with PyTorch's rules: [.., m, k] · [.., k, n] → [.., m, n] with batch dimensions
    /// broadcast; a 1-D left operand is a row vector and a 1-D right operand a column vector (the added
    /// dimension is removed again). Transposed views are multiplied without copying.
    /// </summary>
    public Tensor MatMul(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        CheckNotDisposed(this, "MatMul");
        CheckNotDisposed(other, "MatMul");
        if (Rank == 0 || other.Rank == 0) throw new ShapeMismatchException($"MatMul needs tensors of rank ≥ 1; got {Describe()} and {other.Describe()}.");
        if (Rank == 1 || other.Rank == 1) return MatMulWithVector(other);
        int m = shape[^2], k = shape[^1], n = other.shape[^1];
        if (other.shape[^2] != k)
            throw new ShapeMismatchException($"MatMul: inner dimensions differ: {Describe()} · {other.Describe()} ({k} vs {other.shape[^2]}). The left operand's last dimension must equal the right operand's second-to-last.");
        var batch = BroadcastShape(shape[..^2], other.shape[..^2], "MatMul (batch dimensions)", this, other);
        var backend = SameDevice("MatMul", this, other);
        var y = Empty([.. batch, m, n], backend);
        backend.MatMul(this, other, y, accumulate: false);
        if (NeedsGrad(this, other))
        {
            var a = this;
            var b = other;
            Record(y, "MatMul", g =>
            {
                if (a.RequiresGrad)
                {
                    var da = Empty([.. batch, m, k], backend);
                    backend.MatMul(g, b.Transpose(-1, -2), da, accumulate: false); // dA = g · Bᵀ
                    Accumulate(a, SumToShape(da, a.shape));
                }
                if (b.RequiresGrad)
                {
                    var db = Empty([.. batch, k, n], backend);
                    backend.MatMul(a.Transpose(-1, -2), g, db, accumulate: false); // dB = Aᵀ · g
                    Accumulate(b, SumToShape(db, b.shape));
                }
            }, a, b);
        }
        return y;
    }

    /// <summary>PyTorch's rules for 1-D operands: a row (left) or column (right) matrix for the product, whose added dimensions are then dropped.</summary>
    private Tensor MatMulWithVector(Tensor other)
    {
        var left = Rank == 1 ? Unsqueeze(0) : this;
        var right = other.Rank == 1 ? other.Unsqueeze(1) : other;
        var product = left.MatMul(right);
        var dims = product.shape.ToList();
        if (other.Rank == 1) dims.RemoveAt(dims.Count - 1);
        if (Rank == 1) dims.RemoveAt(dims.Count - (other.Rank == 1 ? 1 : 2));
        var result = product.Reshape([.. dims]);
        DisposeTemporaries(result, product);
        if (Rank == 1) DisposeTemporaries(result, left);
        if (other.Rank == 1) DisposeTemporaries(result, right);
        return result;
    }

    /// <summary>
    /// The affine map of a linear layer: y = x·Wᵀ + b for x [.., in], <paramref name="weight"/> [out, in],
    /// <paramref name="bias"/> [out] (optional). One matrix product over all leading dimensions.
    /// </summary>
    public Tensor Linear(Tensor weight, Tensor? bias = null)
    {
        ArgumentNullException.ThrowIfNull(weight);
        CheckNotDisposed(this, "Linear");
        if (weight.Rank != 2) throw new ShapeMismatchException($"Linear: weight {weight.Describe()} must be 2-D [out, in].");
        int inFeatures = weight.shape[1], outFeatures = weight.shape[0];
        if (Rank == 0 || shape[^1] != inFeatures)
            throw new ShapeMismatchException($"Linear: input {Describe()} must end in {inFeatures} features to match weight {weight.Describe()} [out, in].");
        if (bias is not null && (bias.Rank != 1 || bias.shape[0] != outFeatures))
            throw new ShapeMismatchException($"Linear: bias {bias.Describe()} must be [{outFeatures}] to match weight {weight.Describe()}.");
        var backend = SameDevice("Linear", this, weight, bias);
        var x = Contiguous();
        int rows = inFeatures == 0 ? 0 : Count / inFeatures;
        var outShape = (int[])shape.Clone();
        outShape[^1] = outFeatures;
        var y = Empty(outShape, backend);
        var biasValues = bias is null || bias.IsContiguous ? bias : bias.ContiguousCopy();
        backend.Linear(x, weight, biasValues, y);
        if (biasValues is not null && !ReferenceEquals(biasValues, bias)) biasValues.Dispose(); // a strided bias's copy
        var inputs = bias is null ? new[] { this, weight } : [this, weight, bias];
        if (NeedsGrad(inputs))
        {
            var input = this;
            Record(y, "Linear", g =>
            {
                var gc = g.Contiguous();
                var g2 = gc.View([rows, outFeatures], [outFeatures, 1], gc.offset);
                if (input.RequiresGrad)
                {
                    var dx = Empty(input.shape, backend);
                    // dX = g · W: [rows, out] · [out, in]
                    using (var dx2 = dx.View([rows, inFeatures], [inFeatures, 1], 0))
                        backend.MatMul(g2, weight, dx2, accumulate: false);
                    Accumulate(input, dx);
                }
                if (weight.RequiresGrad)
                {
                    var dw = Empty([outFeatures, inFeatures], backend);
                    // dW = gᵀ · X: [out, rows] · [rows, in]
                    using (var gT = gc.View([outFeatures, rows], [1, outFeatures], gc.offset))
                    using (var x2 = x.View([rows, inFeatures], [inFeatures, 1], x.offset))
                        backend.MatMul(gT, x2, dw, accumulate: false);
                    Accumulate(weight, dw);
                }
                if (bias is { RequiresGrad: true })
                {
                    var db = Empty([outFeatures], backend);
                    backend.SumAxis(g2, 1, rows, outFeatures, db);
                    Accumulate(bias, db);
                }
                g2.Dispose();
            }, inputs);
        }
        return y;
    }
}
