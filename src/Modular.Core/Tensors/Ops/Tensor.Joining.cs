using Modular.Tensors.Kernels;
using static Modular.Tensors.Autograd.Autograd;

namespace Modular.Tensors;

// Joining and splitting: concat, stack, split, chunk.
public partial class Tensor
{
    /// <summary>Joins tensors along an existing axis; all other dimensions must agree.</summary>
    public static Tensor Cat(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ShapeMismatchException("Cat needs at least one tensor.");
        var first = tensors[0];
        int a = first.NormalizeAxis(axis, "Cat");
        int total = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            CheckNotDisposed(t, "Cat");
            if (t.Rank != first.Rank) throw new ShapeMismatchException($"Cat: tensor {i} {t.Describe()} has rank {t.Rank}, tensor 0 {first.Describe()} has rank {first.Rank}.");
            for (int d = 0; d < t.Rank; d++)
            {
                if (d != a && t.shape[d] != first.shape[d])
                    throw new ShapeMismatchException($"Cat along axis {axis}: tensor {i} {t.Describe()} differs from tensor 0 {first.Describe()} in dimension {d}.");
            }
            total += t.shape[a];
        }
        var outShape = (int[])first.shape.Clone();
        outShape[a] = total;
        var backend = first.Backend;
        foreach (var t in tensors) SameDevice("Cat", first, t);
        var y = Empty(outShape, backend);
        int offset = 0;
        foreach (var t in tensors)
        {
            using var region = y.NarrowView(a, offset, t.shape[a]);
            backend.Copy(t, region);
            offset += t.shape[a];
        }
        var inputs = tensors.ToArray();
        if (NeedsGrad(inputs))
        {
            Record(y, "Cat", g =>
            {
                int start = 0;
                foreach (var t in inputs)
                {
                    int length = t.shape[a];
                    if (t.RequiresGrad) Accumulate(t, g.NarrowView(a, start, length));
                    start += length;
                }
            }, inputs);
        }
        return y;
    }

    /// <summary>Stacks equally shaped tensors along a new axis.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ShapeMismatchException("Stack needs at least one tensor.");
        var expanded = new Tensor[tensors.Count];
        for (int i = 0; i < tensors.Count; i++)
        {
            if (!tensors[i].Shape.Equals(tensors[0].Shape))
                throw new ShapeMismatchException($"Stack: tensor {i} {tensors[i].Describe()} differs from tensor 0 {tensors[0].Describe()}; all must have the same shape.");
            expanded[i] = tensors[i].Unsqueeze(axis);
        }
        return Cat(expanded, axis);
    }

    /// <summary>Splits along an axis into pieces of the given sizes (views; gradients flow back).</summary>
    public Tensor[] Split(int[] sizes, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        int a = NormalizeAxis(axis, "Split");
        int sum = 0;
        foreach (var s in sizes) sum += s;
        if (sum != shape[a]) throw new ShapeMismatchException($"Split: sizes [{string.Join(", ", sizes)}] add up to {sum}, but dimension {axis} of {Describe()} has size {shape[a]}.");
        var parts = new Tensor[sizes.Length];
        int start = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            parts[i] = Narrow(a, start, sizes[i]);
            start += sizes[i];
        }
        return parts;
    }

    /// <summary>Splits along an axis into <paramref name="chunks"/> pieces of equal size (the last may be smaller), as PyTorch's chunk.</summary>
    public Tensor[] Chunk(int chunks, int axis = 0)
    {
        int a = NormalizeAxis(axis, "Chunk");
        if (chunks < 1) throw new ConfigurationException($"Chunk: chunks must be ≥ 1, got {chunks}.");
        int size = (shape[a] + chunks - 1) / chunks;
        var sizes = new List<int>();
        for (int left = shape[a]; left > 0; left -= size) sizes.Add(Math.Min(size, left));
        return Split([.. sizes], a);
    }

    /// <summary>A narrowed view that records nothing (internal plumbing for kernels and backward passes).</summary>
    internal Tensor NarrowView(int axis, int start, int length)
    {
        var dims = (int[])shape.Clone();
        dims[axis] = length;
        return View(dims, (int[])strides.Clone(), offset + start * strides[axis]);
    }
}
