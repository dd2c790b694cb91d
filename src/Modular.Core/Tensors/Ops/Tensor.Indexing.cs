using Modular.Tensors.Kernels;
using static Modular.Tensors.Autograd.Autograd;

namespace Modular.Tensors;

// Index-driven operations: embedding lookup, gather / scatter-add, index-select / index-add, top-k,
// where / masked fill, one-hot. Token routing in mixture-of-experts layers is built from these.
public partial class Tensor
{
    /// <summary>Rows of this [vocab, dim] table for each id: result shape ids.shape + [dim].</summary>
    public Tensor Embedding(IntTensor ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        CheckNotDisposed(this, "Embedding");
        if (Rank != 2) throw new ShapeMismatchException($"Embedding: the table {Describe()} must be 2-D [vocabulary, dimension].");
        ids.CheckRange(shape[0], "Embedding", $"token id for the table {Describe()}");
        return IndexSelectCore(0, ids, [.. ids.ShapeArray, shape[1]], "Embedding");
    }

    /// <summary>The slices at <paramref name="index"/> (1-D) along <paramref name="axis"/>; the gradient is index-added back.</summary>
    public Tensor IndexSelect(int axis, IntTensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        CheckNotDisposed(this, "IndexSelect");
        int a = NormalizeAxis(axis, "IndexSelect");
        if (index.Rank != 1) throw new ShapeMismatchException($"IndexSelect: index {index.Shape} must be 1-D.");
        index.CheckRange(shape[a], "IndexSelect", $"index into dimension {axis} of {Describe()}");
        var outShape = (int[])shape.Clone();
        outShape[a] = index.Count;
        return IndexSelectCore(a, index, outShape, "IndexSelect");
    }

    private Tensor IndexSelectCore(int axis, IntTensor index, int[] outShape, string name)
    {
        var (outer, n, inner) = Split3(shape, axis, axis);
        var x = Contiguous();
        var backend = Backend;
        var y = Empty(outShape, backend);
        backend.GatherRows(x, outer, n, inner, index, y);
        if (NeedsGrad(this))
        {
            var src = this;
            Record(y, name, g =>
            {
                var dx = src.FullLike(src.shape, 0f);
                backend.ScatterAddRows(dx, outer, n, inner, index, g.Contiguous());
                Accumulate(src, dx);
            }, src);
        }
        return y;
    }

    /// <summary>
    /// A copy of this tensor with <paramref name="source"/>'s slices added at positions <paramref name="index"/> along
    /// <paramref name="axis"/> (repeated indices accumulate) — PyTorch's index_add, used to scatter expert outputs back to tokens.
    /// </summary>
    public Tensor IndexAdd(int axis, IntTensor index, Tensor source)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(source);
        CheckNotDisposed(this, "IndexAdd");
        CheckNotDisposed(source, "IndexAdd");
        int a = NormalizeAxis(axis, "IndexAdd");
        if (index.Rank != 1) throw new ShapeMismatchException($"IndexAdd: index {index.Shape} must be 1-D.");
        var expected = (int[])shape.Clone();
        expected[a] = index.Count;
        if (!source.shape.AsSpan().SequenceEqual(expected))
            throw new ShapeMismatchException($"IndexAdd: source {source.Describe()} must have shape {TensorShape.Format(expected)} (this tensor's shape with dimension {axis} = index length {index.Count}).");
        index.CheckRange(shape[a], "IndexAdd", $"index into dimension {axis} of {Describe()}");
        var (outer, n, inner) = Split3(shape, a, a);
        var backend = SameDevice("IndexAdd", this, source);
        var y = ContiguousCopy();
        backend.ScatterAddRows(y, outer, n, inner, index, source.Contiguous());
        if (NeedsGrad(this, source))
        {
            var target = this;
            Record(y, "IndexAdd", g =>
            {
                Accumulate(target, g);
                if (source.RequiresGrad) Accumulate(source, g.IndexSelect(a, index));
            }, target, source);
        }
        return y;
    }

    /// <summary>Values along <paramref name="axis"/> at positions <paramref name="index"/> (same rank; other dimensions equal), as PyTorch's gather.</summary>
    public Tensor Gather(int axis, IntTensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        CheckNotDisposed(this, "Gather");
        int a = NormalizeAxis(axis, "Gather");
        CheckIndexShape(index, a, "Gather");
        index.CheckRange(shape[a], "Gather", $"index into dimension {axis} of {Describe()}");
        var (outer, n, inner) = Split3(shape, a, a);
        int m = index.ShapeArray[a];
        var x = Contiguous();
        var y = EmptyLike(index.ShapeArray);
        Backend.GatherAxis(x, outer, n, inner, index, m, y);
        if (NeedsGrad(this))
        {
            var src = this;
            Record(y, "Gather", g =>
            {
                var dx = src.FullLike(src.shape, 0f);
                src.Backend.ScatterAddAxis(dx, outer, n, inner, index, m, g.Contiguous());
                Accumulate(src, dx);
            }, src);
        }
        return y;
    }

    /// <summary>A copy of this tensor with <paramref name="source"/> added at positions <paramref name="index"/> along <paramref name="axis"/>, as PyTorch's scatter_add.</summary>
    public Tensor ScatterAdd(int axis, IntTensor index, Tensor source)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(source);
        CheckNotDisposed(this, "ScatterAdd");
        int a = NormalizeAxis(axis, "ScatterAdd");
        CheckIndexShape(index, a, "ScatterAdd");
        if (!source.shape.AsSpan().SequenceEqual(index.ShapeArray))
            throw new ShapeMismatchException($"ScatterAdd: source {source.Describe()} must have the index's shape {index.Shape}.");
        index.CheckRange(shape[a], "ScatterAdd", $"index into dimension {axis} of {Describe()}");
        var (outer, n, inner) = Split3(shape, a, a);
        int m = index.ShapeArray[a];
        var backend = SameDevice("ScatterAdd", this, source);
        var y = ContiguousCopy();
        backend.ScatterAddAxis(y, outer, n, inner, index, m, source.Contiguous());
        if (NeedsGrad(this, source))
        {
            var target = this;
            Record(y, "ScatterAdd", g =>
            {
                Accumulate(target, g);
                if (source.RequiresGrad) Accumulate(source, g.Gather(a, index));
            }, target, source);
        }
        return y;
    }

    private void CheckIndexShape(IntTensor index, int axis, string op)
    {
        bool ok = index.Rank == Rank;
        for (int d = 0; ok && d < Rank; d++) ok = d == axis || index.ShapeArray[d] == shape[d];
        if (!ok) throw new ShapeMismatchException($"{op}: index {index.Shape} must have the rank of {Describe()} and equal sizes except along axis {axis}.");
    }

    /// <summary>The <paramref name="k"/> largest (or smallest) values along <paramref name="axis"/>, sorted, with their indices. Gradients flow to the chosen values.</summary>
    public (Tensor Values, IntTensor Indices) TopK(int k, int axis = -1, bool largest = true)
    {
        CheckNotDisposed(this, "TopK");
        int a = NormalizeAxis(axis, "TopK");
        if (k < 0 || k > shape[a]) throw new IndexOutOfRangeModularException($"TopK: k = {k} must lie in [0, {shape[a]}] for dimension {axis} of {Describe()}.");
        if (a != Rank - 1)
        {
            var moved = Transpose(a, -1);
            var (alongLast, i) = moved.TopK(k, -1, largest);
            var order = Enumerable.Range(0, Rank).ToArray();
            (order[a], order[^1]) = (order[^1], order[a]);
            var transposedBack = alongLast.Transpose(a, -1);
            DisposeTemporaries(transposedBack, moved, alongLast);
            return (transposedBack, Permute(i, order));
        }
        int n = shape[^1], rows = n == 0 ? 0 : Count / n;
        var x = Contiguous();
        var outShape = (int[])shape.Clone();
        outShape[^1] = k;
        var values = EmptyLike(outShape);
        var indices = Backend.AllocateIndices(outShape);
        Backend.TopK(x, rows, n, k, largest, values, indices);
        if (NeedsGrad(this))
        {
            var src = this;
            Record(values, "TopK", g =>
            {
                var dx = src.FullLike(src.shape, 0f);
                src.Backend.ScatterAddAxis(dx, rows, n, 1, indices, k, g.Contiguous());
                Accumulate(src, dx);
            }, src);
        }
        return (values, indices);
    }

    private static IntTensor Permute(IntTensor t, int[] order)
    {
        var dims = t.ShapeArray;
        var outDims = order.Select(o => dims[o]).ToArray();
        var result = IntTensor.Zeros(outDims);
        var srcStrides = TensorShape.ContiguousStrides(dims);
        var dst = result.Span;
        var src = t.Span;
        Span<int> idx = stackalloc int[dims.Length];
        for (int flat = 0; flat < dst.Length; flat++)
        {
            int rem = flat, off = 0;
            for (int d = outDims.Length - 1; d >= 0; d--)
            {
                idx[d] = rem % outDims[d];
                rem /= outDims[d];
                off += idx[d] * srcStrides[order[d]];
            }
            dst[flat] = src[off];
        }
        return result;
    }

    /// <summary>Element-wise choice: <paramref name="whenTrue"/> where <paramref name="condition"/> ≠ 0, else <paramref name="whenFalse"/> (all broadcast).</summary>
    public static Tensor Where(Tensor condition, Tensor whenTrue, Tensor whenFalse)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(whenTrue);
        ArgumentNullException.ThrowIfNull(whenFalse);
        CheckNotDisposed(condition, "Where");
        CheckNotDisposed(whenTrue, "Where");
        CheckNotDisposed(whenFalse, "Where");
        var dims = BroadcastShape(BroadcastShape(condition.shape, whenTrue.shape, "Where", condition, whenTrue), whenFalse.shape, "Where", null, whenFalse);
        var backend = SameDevice("Where", condition, whenTrue, whenFalse);
        var y = Empty(dims, backend);
        backend.Where(condition, whenTrue, whenFalse, y);
        if (NeedsGrad(whenTrue, whenFalse))
        {
            Record(y, "Where", g =>
            {
                using var zero = y.FullLike([], 0f);
                if (whenTrue.RequiresGrad)
                {
                    var d = Empty(dims, backend);
                    backend.Where(condition, g, zero, d);
                    Accumulate(whenTrue, SumToShape(d, whenTrue.shape));
                }
                if (whenFalse.RequiresGrad)
                {
                    var d = Empty(dims, backend);
                    backend.Where(condition, zero, g, d);
                    Accumulate(whenFalse, SumToShape(d, whenFalse.shape));
                }
            }, whenTrue, whenFalse);
        }
        return y;
    }

    /// <summary>This tensor with <paramref name="value"/> wherever <paramref name="mask"/> ≠ 0 (mask broadcast), e.g. −∞ on padded attention positions.</summary>
    public Tensor MaskedFill(Tensor mask, float value)
    {
        ArgumentNullException.ThrowIfNull(mask);
        return Where(mask, FullLike([], value), this);
    }

    /// <summary>One-hot rows: result shape indices.shape + [classes], 1 at each index, on <paramref name="device"/> (the CPU engine when null).</summary>
    public static Tensor OneHot(IntTensor indices, int classes, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(indices);
        device ??= Device.Cpu;
        if (indices.OnDevice is not null && ReferenceEquals(indices.Device, device))
        {
            // indices a kernel computed on this device stay there: a scatter of ones instead of a read to the host
            var flat = indices.Reshape(indices.Count, 1);
            var ones = Full([indices.Count, 1], 1f, device);
            return Zeros([indices.Count, classes], device).ScatterAdd(1, flat, ones).Reshape([.. indices.ShapeArray, classes]);
        }
        var host = OneHotOnHost(indices, classes);
        return device.IsHost ? host : host.To(device);
    }

    private static Tensor OneHotOnHost(IntTensor indices, int classes)
    {
        if (classes < 1) throw new ConfigurationException($"OneHot: classes must be ≥ 1, got {classes}.");
        indices.CheckRange(classes, "OneHot", $"class index for {classes} classes");
        var y = Zeros([.. indices.ShapeArray, classes]);
        var span = y.Span;
        var idx = indices.Span;
        for (int i = 0; i < idx.Length; i++) span[i * classes + idx[i]] = 1f;
        return y;
    }
}
