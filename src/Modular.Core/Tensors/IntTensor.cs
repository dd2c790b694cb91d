namespace Modular.Tensors;

/// <summary>
/// A dense row-major tensor of 32-bit integers: token ids, class labels, expert indices. It carries no
/// gradient; operations that take indices (embedding, gather, index-add, cross-entropy) read it.
/// </summary>
public sealed class IntTensor
{
    private readonly int[] data;
    private readonly int[] shape;

    private IntTensor(int[] data, int[] shape)
    {
        this.data = data;
        this.shape = shape;
    }

    /// <summary>A 1-D tensor of a copy of <paramref name="values"/> (also what arrays and collection expressions bind to).</summary>
    public static IntTensor FromArray(ReadOnlySpan<int> values) => FromArray(values, values.Length);

    /// <summary>Wraps a copy of <paramref name="values"/> with the given shape.</summary>
    public static IntTensor FromArray(ReadOnlySpan<int> values, params int[] shape)
    {
        var dims = TensorShape.Of(shape).Dims;
        if (values.Length != TensorShape.Product(dims))
            throw new ShapeMismatchException($"IntTensor.FromArray: {values.Length} values cannot fill shape {TensorShape.Format(dims)}.");
        return new IntTensor(values.ToArray(), dims);
    }

    /// <summary>A 2-D tensor from a rectangular array.</summary>
    public static IntTensor FromArray(int[,] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var flat = new int[values.Length];
        int k = 0;
        foreach (var v in values) flat[k++] = v;
        return new IntTensor(flat, [values.GetLength(0), values.GetLength(1)]);
    }

    /// <summary>A tensor of zeros, to be filled through <see cref="Span"/>.</summary>
    public static IntTensor Zeros(params int[] shape)
    {
        var dims = TensorShape.Of(shape).Dims;
        return new IntTensor(new int[TensorShape.Product(dims)], dims);
    }

    /// <summary>The dimensions.</summary>
    public TensorShape Shape => new(shape);

    internal int[] ShapeArray => shape;

    /// <summary>Number of dimensions.</summary>
    public int Rank => shape.Length;

    /// <summary>Number of elements.</summary>
    public int Count => data.Length;

    /// <summary>The values, row-major.</summary>
    public Span<int> Span => data;

    /// <summary>The element at the given indices.</summary>
    public int this[params int[] index]
    {
        get => data[Offset(index)];
        set => data[Offset(index)] = value;
    }

    private int Offset(int[] index)
    {
        if (index.Length != shape.Length) throw new ShapeMismatchException($"Indexing IntTensor {Shape} needs {shape.Length} indices, got {index.Length}.");
        int o = 0;
        for (int i = 0; i < index.Length; i++)
        {
            if ((uint)index[i] >= (uint)shape[i]) throw new IndexOutOfRangeModularException($"Index {index[i]} is out of range for dimension {i} of size {shape[i]} in IntTensor {Shape}.");
            o = o * shape[i] + index[i];
        }
        return o;
    }

    /// <summary>The same values viewed with another shape of equal size.</summary>
    public IntTensor Reshape(params int[] newShape)
    {
        var dims = Tensor.InferShape(newShape, data.Length, "IntTensor.Reshape", Shape.ToString());
        return new IntTensor(data, dims);
    }

    /// <summary>A copy of the values.</summary>
    public int[] ToArray() => (int[])data.Clone();

    /// <summary>
    /// Checks every value lies in [0, <paramref name="limit"/>) (or equals <paramref name="allowed"/>); otherwise names the
    /// operation, what the values are, and the position and value of the first one outside.
    /// </summary>
    internal void CheckRange(int limit, string op, string what, int? allowed = null)
    {
        for (int i = 0; i < data.Length; i++)
        {
            int v = data[i];
            if ((uint)v >= (uint)limit && v != allowed)
                throw new IndexOutOfRangeModularException($"{op}: {what} at position {Position(i)} of IntTensor {Shape} is {v}, outside [0, {limit}){(allowed is { } a ? $" and not the ignore index {a}" : "")}.");
        }
    }

    private string Position(int flat) => TensorShape.FormatPosition(shape, flat);

    /// <inheritdoc/>
    public override string ToString() => data.Length <= 64 ? $"IntTensor{Shape} [{string.Join(", ", data)}]" : $"IntTensor{Shape}";
}
