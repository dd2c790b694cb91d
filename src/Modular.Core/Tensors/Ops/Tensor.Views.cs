using Modular.Tensors.Kernels;
using static Modular.Tensors.Autograd.Autograd;

namespace Modular.Tensors;

// Views: new shapes and strides over the same memory. Each records a backward that maps the gradient back.
public partial class Tensor
{
    /// <summary>The same elements with another shape of equal size; one dimension may be −1 (inferred). Copies only if this is a non-contiguous view.</summary>
    public Tensor Reshape(params int[] newShape)
    {
        CheckNotDisposed(this, "Reshape");
        var dims = InferShape(newShape, Count, "Reshape", Describe());
        Tensor y;
        if (IsContiguous) y = View(dims, TensorShape.ContiguousStrides(dims), offset);
        else
        {
            using var dense = ContiguousCopy();
            y = dense.View(dims, TensorShape.ContiguousStrides(dims), 0);
        }
        if (NeedsGrad(this))
        {
            var x = this;
            Record(y, "Reshape", g => Accumulate(x, g.Reshape(x.shape)), x);
        }
        return y;
    }

    /// <summary>Same as <see cref="Reshape"/>.</summary>
    public Tensor View(params int[] newShape) => Reshape(newShape);

    /// <summary>Collapses dimensions <paramref name="startAxis"/>..<paramref name="endAxis"/> into one.</summary>
    public Tensor Flatten(int startAxis = 0, int endAxis = -1)
    {
        int s = NormalizeAxis(startAxis, "Flatten"), e = NormalizeAxis(endAxis, "Flatten");
        if (shape.Length == 0) return Reshape(1);
        var dims = new List<int>();
        for (int i = 0; i < s; i++) dims.Add(shape[i]);
        int merged = 1;
        for (int i = s; i <= e; i++) merged *= shape[i];
        dims.Add(merged);
        for (int i = e + 1; i < shape.Length; i++) dims.Add(shape[i]);
        return Reshape([.. dims]);
    }

    /// <summary>Inserts a dimension of size 1 at <paramref name="axis"/>.</summary>
    public Tensor Unsqueeze(int axis)
    {
        int a = axis < 0 ? axis + shape.Length + 1 : axis;
        if (a < 0 || a > shape.Length) throw new IndexOutOfRangeModularException($"Unsqueeze: axis {axis} is out of range for {Describe()}; use 0..{shape.Length}.");
        var dims = new int[shape.Length + 1];
        for (int i = 0, j = 0; i < dims.Length; i++) dims[i] = i == a ? 1 : shape[j++];
        return Reshape(dims);
    }

    /// <summary>Removes dimension <paramref name="axis"/>, which must have size 1.</summary>
    public Tensor Squeeze(int axis)
    {
        int a = NormalizeAxis(axis, "Squeeze");
        if (shape[a] != 1) throw new ShapeMismatchException($"Squeeze: dimension {axis} of {Describe()} has size {shape[a]}, not 1.");
        var dims = new int[shape.Length - 1];
        for (int i = 0, j = 0; i < shape.Length; i++) if (i != a) dims[j++] = shape[i];
        return Reshape(dims);
    }

    /// <summary>Swaps two dimensions (a view).</summary>
    public Tensor Transpose(int axis0, int axis1)
    {
        int a = NormalizeAxis(axis0, "Transpose"), b = NormalizeAxis(axis1, "Transpose");
        var order = new int[shape.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        (order[a], order[b]) = (order[b], order[a]);
        return Permute(order);
    }

    /// <summary>The transpose of a 2-D tensor (a view).</summary>
    public Tensor T
    {
        get
        {
            if (shape.Length != 2) throw new ShapeMismatchException($"T needs a 2-D tensor; {Describe()} has rank {shape.Length}. Use Transpose(a, b) for other ranks.");
            return Transpose(0, 1);
        }
    }

    /// <summary>Reorders dimensions: result dimension i is input dimension <paramref name="order"/>[i] (a view).</summary>
    public Tensor Permute(params int[] order)
    {
        ArgumentNullException.ThrowIfNull(order);
        CheckNotDisposed(this, "Permute");
        if (order.Length != shape.Length) throw new ShapeMismatchException($"Permute: order has {order.Length} entries but {Describe()} has rank {shape.Length}.");
        var dims = new int[order.Length];
        var st = new int[order.Length];
        var inverse = new int[order.Length];
        var used = new bool[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            int a = NormalizeAxis(order[i], "Permute");
            if (used[a]) throw new ShapeMismatchException($"Permute: axis {a} appears twice in [{string.Join(", ", order)}].");
            used[a] = true;
            dims[i] = shape[a];
            st[i] = strides[a];
            inverse[a] = i;
        }
        var y = View(dims, st, offset);
        if (NeedsGrad(this))
        {
            var x = this;
            Record(y, "Permute", g => Accumulate(x, g.Permute(inverse)), x);
        }
        return y;
    }

    /// <summary>The elements start..start+length−1 along <paramref name="axis"/> (a view).</summary>
    public Tensor Narrow(int axis, int start, int length)
    {
        CheckNotDisposed(this, "Narrow");
        int a = NormalizeAxis(axis, "Narrow");
        if (start < 0) start += shape[a];
        if (start < 0 || length < 0 || start + length > shape[a])
            throw new IndexOutOfRangeModularException($"Narrow: range [{start}, {start + length}) does not fit dimension {axis} (size {shape[a]}) of {Describe()}.");
        var dims = (int[])shape.Clone();
        dims[a] = length;
        var y = View(dims, (int[])strides.Clone(), offset + start * strides[a]);
        if (NeedsGrad(this))
        {
            var x = this;
            Record(y, "Narrow", g =>
            {
                var dx = x.FullLike(x.shape, 0f);
                using var region = dx.NarrowView(a, start, length);
                x.Backend.Copy(g, region);
                Accumulate(x, dx);
            }, x);
        }
        return y;
    }

    /// <summary>Broadcasts size-1 dimensions (and new leading ones) to <paramref name="newShape"/> without copying (stride 0); −1 keeps a size.</summary>
    public Tensor Expand(params int[] newShape)
    {
        ArgumentNullException.ThrowIfNull(newShape);
        CheckNotDisposed(this, "Expand");
        if (newShape.Length < shape.Length) throw new ShapeMismatchException($"Expand: target {TensorShape.Format(newShape)} has lower rank than {Describe()}.");
        var dims = new int[newShape.Length];
        var st = new int[newShape.Length];
        int lead = newShape.Length - shape.Length;
        for (int i = 0; i < newShape.Length; i++)
        {
            int src = i - lead;
            int want = newShape[i] == -1 && src >= 0 ? shape[src] : newShape[i];
            if (want < 0)
                throw new ShapeMismatchException($"Expand: size {newShape[i]} at position {i} of {TensorShape.Format(newShape)} is invalid for {Describe()}; −1 keeps an existing dimension, and new leading dimensions need an explicit size.");
            if (src < 0) { dims[i] = want; st[i] = 0; continue; }
            if (shape[src] == want) { dims[i] = want; st[i] = strides[src]; }
            else if (shape[src] == 1) { dims[i] = want; st[i] = 0; }
            else throw new ShapeMismatchException($"Expand: dimension {src} of {Describe()} has size {shape[src]}, which cannot broadcast to {want} in {TensorShape.Format(newShape)}.");
        }
        var y = View(dims, st, offset);
        if (NeedsGrad(this))
        {
            var x = this;
            Record(y, "Expand", g => Accumulate(x, SumToShape(g, x.shape)), x);
        }
        return y;
    }

    /// <summary>This tensor if its layout is already dense, otherwise a dense copy.</summary>
    public Tensor Contiguous()
    {
        CheckNotDisposed(this, "Contiguous");
        if (IsContiguous) return this;
        var y = ContiguousCopy();
        if (NeedsGrad(this))
        {
            var x = this;
            Record(y, "Contiguous", g => Accumulate(x, g), x);
        }
        return y;
    }

    /// <summary>A dense copy (always a new tensor), recording nothing.</summary>
    internal Tensor ContiguousCopy()
    {
        var y = EmptyLike(shape);
        Backend.Copy(this, y);
        return y;
    }

    /// <summary>A copy with its own memory; gradients flow back to this tensor.</summary>
    public Tensor Clone()
    {
        CheckNotDisposed(this, "Clone");
        var y = ContiguousCopy();
        if (NeedsGrad(this))
        {
            var x = this;
            Record(y, "Clone", g => Accumulate(x, g), x);
        }
        return y;
    }

    /// <summary>The same memory without gradient history (changes to one show in the other).</summary>
    public Tensor Detach()
    {
        CheckNotDisposed(this, "Detach");
        return View((int[])shape.Clone(), (int[])strides.Clone(), offset);
    }

    /// <summary>Resolves a requested shape with at most one −1 against an element count.</summary>
    internal static int[] InferShape(int[] requested, int count, string op, string what)
    {
        ArgumentNullException.ThrowIfNull(requested);
        var dims = (int[])requested.Clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] == -1)
            {
                if (infer >= 0) throw new ShapeMismatchException($"{op}: {TensorShape.Format(requested)} has more than one −1 dimension.");
                infer = i;
            }
            else if (dims[i] < 0) throw new ShapeMismatchException($"{op}: {TensorShape.Format(requested)} has a negative dimension.");
            else known *= dims[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || count % known != 0) throw new ShapeMismatchException($"{op}: cannot infer the −1 in {TensorShape.Format(requested)} for {what} ({count} elements).");
            dims[infer] = (int)(count / known);
        }
        else if (known != count) throw new ShapeMismatchException($"{op}: {what} has {count} elements, which do not fit shape {TensorShape.Format(requested)} ({known}).");
        return dims;
    }
}
