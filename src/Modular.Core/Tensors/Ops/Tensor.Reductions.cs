using Modular.Tensors.Kernels;
using static Modular.Tensors.Autograd.Autograd;

namespace Modular.Tensors;

// Reductions over axes.
public partial class Tensor
{
    /// <summary>Sum of all elements (a scalar).</summary>
    public Tensor Sum() => Sum(AllAxes(), keepDim: false);

    /// <summary>Sum over one axis.</summary>
    public Tensor Sum(int axis, bool keepDim = false) => Sum([axis], keepDim);

    /// <summary>Sum over the given axes; with <paramref name="keepDim"/> they stay as size 1.</summary>
    public Tensor Sum(int[] axes, bool keepDim = false)
    {
        CheckNotDisposed(this, "Sum");
        var reduced = ReducedAxes(axes, "Sum");
        var y = SumAxes(this, reduced, keepDim);
        if (NeedsGrad(this))
        {
            var x = this;
            Record(y, "Sum", g => Accumulate(x, BroadcastGrad(g, x.shape, reduced)), x);
        }
        return y;
    }

    /// <summary>Mean of all elements (a scalar).</summary>
    public Tensor Mean() => Mean(AllAxes(), keepDim: false);

    /// <summary>Mean over one axis.</summary>
    public Tensor Mean(int axis, bool keepDim = false) => Mean([axis], keepDim);

    /// <summary>Mean over the given axes.</summary>
    public Tensor Mean(int[] axes, bool keepDim = false)
    {
        var reduced = ReducedAxes(axes, "Mean");
        int n = 1;
        foreach (var a in reduced) n *= shape[a];
        if (n == 0) throw new ShapeMismatchException($"Mean over an empty dimension of {Describe()}.");
        var sum = Sum(axes, keepDim);
        var mean = sum.Mul(1f / n);
        DisposeTemporaries(mean, sum);
        return mean;
    }

    /// <summary>log Σ exp(x) over one axis, computed stably as m + log Σ exp(x − m) with m the (constant) maximum.</summary>
    public Tensor LogSumExp(int axis, bool keepDim = false)
    {
        // Intermediates are not disposed: Exp and Log read their values again in the backward pass.
        var shift = Max(axis, keepDim: true).Detach();
        var result = Sub(shift).Exp().Sum(axis, keepDim: true).Log().Add(shift);
        return keepDim ? result : result.Squeeze(axis);
    }

    /// <summary>Maximum over one axis; the gradient goes to the first position of the maximum.</summary>
    public Tensor Max(int axis, bool keepDim = false) => MaxWithIndices(axis, keepDim).Values;

    /// <summary>Maximum of all elements (a scalar).</summary>
    public Tensor Max() => Reshape(-1).Max(0);

    /// <summary>Maximum over one axis, with the index of the (first) maximum along it.</summary>
    public (Tensor Values, IntTensor Indices) MaxWithIndices(int axis, bool keepDim = false)
    {
        CheckNotDisposed(this, "Max");
        int a = NormalizeAxis(axis, "Max");
        if (shape.Length > 0 && shape[a] == 0) throw new ShapeMismatchException($"Max over empty dimension {axis} of {Describe()}.");
        var (outer, n, inner) = Split3(shape, a, a);
        var x = Contiguous();
        var keptShape = (int[])shape.Clone();
        if (keptShape.Length > 0) keptShape[a] = 1;
        var values = EmptyLike(keptShape);
        var indices = Backend.AllocateIndices(keptShape);
        Backend.MaxAxis(x, outer, n, inner, values, indices);
        if (!ReferenceEquals(x, this)) x.Dispose();
        if (NeedsGrad(this))
        {
            var src = this;
            Record(values, "Max", g =>
            {
                var dx = src.FullLike(src.shape, 0f);
                src.Backend.ScatterAddAxis(dx, outer, n, inner, indices, 1, g.Contiguous());
                Accumulate(src, dx);
            }, src);
        }
        if (keepDim || shape.Length == 0) return (values, indices);
        var squeezedShape = RemoveAxes(keptShape, [a]);
        return (values.Reshape(squeezedShape), indices.Reshape(squeezedShape));
    }

    // ------------------------------------------------------------------ machinery

    private int[] AllAxes()
    {
        var axes = new int[shape.Length];
        for (int i = 0; i < axes.Length; i++) axes[i] = i;
        return axes;
    }

    private int[] ReducedAxes(int[] axes, string op)
    {
        ArgumentNullException.ThrowIfNull(axes);
        var set = new SortedSet<int>();
        foreach (var axis in axes)
        {
            if (!set.Add(NormalizeAxis(axis, op))) throw new ShapeMismatchException($"{op}: axis {axis} is listed twice.");
        }
        return [.. set];
    }

    /// <summary>[product before, size of axes first..last, product after].</summary>
    private static (int Outer, int N, int Inner) Split3(int[] dims, int first, int last)
    {
        int outer = 1, n = 1, inner = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (i < first) outer *= dims[i];
            else if (i <= last) n *= dims[i];
            else inner *= dims[i];
        }
        return (outer, n, inner);
    }

    private static int[] RemoveAxes(int[] dims, int[] sortedAxes)
    {
        var result = new int[dims.Length - sortedAxes.Length];
        for (int i = 0, j = 0, k = 0; i < dims.Length; i++)
        {
            if (k < sortedAxes.Length && sortedAxes[k] == i) { k++; continue; }
            result[j++] = dims[i];
        }
        return result;
    }

    /// <summary>Sums a tensor over sorted axes without recording; runs of adjacent axes reduce in one kernel call.</summary>
    private static Tensor SumAxes(Tensor x, int[] sortedAxes, bool keepDim)
    {
        var dims = (int[])x.shape.Clone();
        var current = x.Contiguous();
        int k = sortedAxes.Length - 1;
        while (k >= 0)
        {
            int last = sortedAxes[k], first = last;
            while (k > 0 && sortedAxes[k - 1] == first - 1) first = sortedAxes[--k];
            k--;
            var (outer, n, inner) = Split3(dims, first, last);
            for (int i = first; i <= last; i++) dims[i] = 1;
            var next = Empty(dims, x.Backend);
            x.Backend.SumAxis(current, outer, n, inner, next);
            if (!ReferenceEquals(current, x)) current.Dispose();
            current = next;
        }
        if (ReferenceEquals(current, x)) current = x.ContiguousCopy();
        if (keepDim) return current;
        var squeezed = current.View(RemoveAxes(dims, sortedAxes), TensorShape.ContiguousStrides(RemoveAxes(dims, sortedAxes)), 0);
        current.Dispose();
        return squeezed;
    }

    /// <summary>The gradient of a sum over <paramref name="sortedAxes"/>: g broadcast back to the input shape.</summary>
    private static Tensor BroadcastGrad(Tensor g, int[] inputShape, int[] sortedAxes)
    {
        var kept = (int[])inputShape.Clone();
        foreach (var a in sortedAxes) kept[a] = 1;
        var dx = Empty(inputShape, g.Backend);
        g.Backend.Copy(g.Reshape(kept), dx);
        return dx;
    }

    /// <summary>Sums a broadcast gradient back to the shape of the input that was broadcast (no recording).</summary>
    internal static Tensor SumToShape(Tensor g, int[] target)
    {
        if (g.shape.AsSpan().SequenceEqual(target)) return g;
        int lead = g.shape.Length - target.Length;
        var axes = new List<int>();
        for (int i = 0; i < g.shape.Length; i++)
        {
            if (i < lead || (target[i - lead] == 1 && g.shape[i] != 1)) axes.Add(i);
        }
        var summed = SumAxes(g, [.. axes], keepDim: true);
        return summed.Reshape(target);
    }
}
