using Modular.Tensors.Kernels;
using static Modular.Tensors.Autograd.Autograd;

namespace Modular.Tensors;

// Softmax and log-softmax along an axis; other axes go through a transpose to the last one.
public partial class Tensor
{
    /// <summary>exp(x) / Σ exp(x) along <paramref name="axis"/>, computed with the maximum subtracted.</summary>
    public Tensor Softmax(int axis = -1) => SoftmaxAlong(axis, log: false);

    /// <summary>log softmax along <paramref name="axis"/>, computed stably.</summary>
    public Tensor LogSoftmax(int axis = -1) => SoftmaxAlong(axis, log: true);

    private Tensor SoftmaxAlong(int axis, bool log)
    {
        CheckNotDisposed(this, log ? "LogSoftmax" : "Softmax");
        int a = NormalizeAxis(axis, log ? "LogSoftmax" : "Softmax");
        if (shape.Length == 0) return Reshape(1).SoftmaxAlong(0, log).Reshape();
        if (a != shape.Length - 1)
        {
            var moved = Transpose(a, -1);
            var alongLast = moved.SoftmaxAlong(-1, log);
            var result = alongLast.Transpose(a, -1);
            DisposeTemporaries(result, moved, alongLast);
            return result;
        }
        var x = Contiguous();
        int n = shape[^1], rows = n == 0 ? 0 : Count / n;
        var y = EmptyLike(shape);
        Backend.Softmax(x, y, rows, n, log);
        if (NeedsGrad(this))
        {
            var src = this;
            Record(y, log ? "LogSoftmax" : "Softmax", g =>
            {
                var dx = src.EmptyLike(src.shape);
                var gc = g.Contiguous();
                src.Backend.SoftmaxBackward(y, gc, dx, rows, n, log);
                Accumulate(src, dx);
            }, src);
        }
        return y;
    }
}
