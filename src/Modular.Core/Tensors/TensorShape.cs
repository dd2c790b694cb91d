using System.Collections;
using System.Text;

namespace Modular.Tensors;

/// <summary>An immutable tensor shape, e.g. <c>[32, 64, 256]</c>; cheap to pass around (wraps one array).</summary>
public readonly struct TensorShape : IReadOnlyList<int>, IEquatable<TensorShape>
{
    private readonly int[]? dims;

    /// <summary>Wraps the given dimensions (the array is not copied: callers hand over ownership).</summary>
    internal TensorShape(int[] dims) => this.dims = dims;

    /// <summary>Creates a shape from its dimensions; every dimension must be ≥ 0.</summary>
    public static TensorShape Of(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        foreach (var d in dims)
        {
            if (d < 0) throw new ShapeMismatchException($"Shape {Format(dims)} has a negative dimension; every dimension must be ≥ 0.");
        }
        return new TensorShape((int[])dims.Clone());
    }

    internal int[] Dims => dims ?? [];

    /// <summary>Number of dimensions.</summary>
    public int Rank => Dims.Length;

    /// <summary>Number of dimensions (same as <see cref="Rank"/>).</summary>
    public int Count => Dims.Length;

    /// <summary>Total number of elements (product of the dimensions; 1 for a scalar).</summary>
    public int Elements => Product(Dims);

    /// <summary>The size of dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int this[int axis] => Dims[axis < 0 ? axis + Dims.Length : axis];

    /// <summary>A copy of the dimensions.</summary>
    public int[] ToArray() => (int[])Dims.Clone();

    internal static int Product(ReadOnlySpan<int> dims)
    {
        long n = 1;
        foreach (var d in dims) n *= d;
        if (n > int.MaxValue) throw new ShapeMismatchException($"Shape {Format(dims)} has {n} elements; at most {int.MaxValue} fit in one tensor.");
        return (int)n;
    }

    internal static int[] ContiguousStrides(ReadOnlySpan<int> dims)
    {
        var strides = new int[dims.Length];
        int s = 1;
        for (int i = dims.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= Math.Max(dims[i], 1);
        }
        return strides;
    }

    /// <summary>Formats dimensions as <c>[2, 3]</c>.</summary>
    public static string Format(ReadOnlySpan<int> dims)
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < dims.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(dims[i]);
        }
        return sb.Append(']').ToString();
    }

    /// <summary>The row-major element at <paramref name="flat"/> of a tensor shaped <paramref name="dims"/>, formatted as <c>[1, 2]</c>.</summary>
    internal static string FormatPosition(ReadOnlySpan<int> dims, int flat)
    {
        var index = new int[dims.Length];
        for (int d = dims.Length - 1; d >= 0; d--)
        {
            index[d] = dims[d] == 0 ? 0 : flat % dims[d];
            flat = dims[d] == 0 ? 0 : flat / dims[d];
        }
        return Format(index);
    }

    /// <inheritdoc/>
    public override string ToString() => Format(Dims);

    /// <inheritdoc/>
    public bool Equals(TensorShape other) => Dims.AsSpan().SequenceEqual(other.Dims);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is TensorShape s && Equals(s);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in Dims) h.Add(d);
        return h.ToHashCode();
    }

    /// <summary>Shape equality.</summary>
    public static bool operator ==(TensorShape left, TensorShape right) => left.Equals(right);

    /// <summary>Shape inequality.</summary>
    public static bool operator !=(TensorShape left, TensorShape right) => !left.Equals(right);

    /// <inheritdoc/>
    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)Dims).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Converts an array of dimensions to a shape.</summary>
    public static implicit operator TensorShape(int[] dims) => Of(dims);
}
