using Modular.Tensors.Kernels;

namespace Modular.Tensors;

/// <summary>
/// A dense row-major tensor of 32-bit integers: token ids, class labels, expert indices. It carries no
/// gradient; operations that take indices (embedding, gather, index-add, cross-entropy) read it.
/// </summary>
/// <remarks>
/// Indices that users and data loaders make live in host memory, and every backend accepts them (a device backend
/// copies them over for the kernel: host to device, never a read back). Indices that a kernel computes on a device
/// (top-k, the arg-max of a maximum) stay there; their host values are read once, counted in
/// <see cref="Device.HostReads"/>, when code asks for them.
/// </remarks>
public sealed class IntTensor
{
    private int[]? data;
    private readonly int[] shape;

    private IntTensor(int[] data, int[] shape)
    {
        this.data = data;
        this.shape = shape;
    }

    internal IntTensor(DeviceIndices onDevice, int[] shape)
    {
        OnDevice = onDevice;
        this.shape = shape;
        TensorScope.Register(onDevice);
    }

    /// <summary>The device values of indices a device kernel computed, or null for host indices.</summary>
    internal DeviceIndices? OnDevice { get; }

    /// <summary>The device of a kernel's computed indices, or <see cref="Device.Cpu"/> for host indices.</summary>
    public Device Device => OnDevice?.Backend.Device ?? Device.Cpu;

    /// <summary>The host values, read from the device once (counted) for indices a device kernel computed.</summary>
    private int[] Host
    {
        get
        {
            if (data is not null) return data;
            var values = new int[TensorShape.Product(shape)];
            Device.CountHostRead();
            OnDevice!.CopyTo(values);
            return data = values;
        }
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
    public int Count => TensorShape.Product(shape);

    /// <summary>The values, row-major (read to the host once for indices computed on a device).</summary>
    public Span<int> Span => Host;

    /// <summary>The element at the given indices.</summary>
    public int this[params int[] index]
    {
        get => Host[Offset(index)];
        set => Host[Offset(index)] = value;
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
        var dims = Tensor.InferShape(newShape, Count, "IntTensor.Reshape", Shape.ToString());
        return data is null && OnDevice is { } d ? new IntTensor(d.Share(), dims) : new IntTensor(Host, dims);
    }

    /// <summary>A copy of the values.</summary>
    public int[] ToArray() => (int[])Host.Clone();

    /// <summary>
    /// Checks every value lies in [0, <paramref name="limit"/>) (or equals <paramref name="allowed"/>); otherwise names the
    /// operation, what the values are, and the position and value of the first one outside.
    /// </summary>
    internal void CheckRange(int limit, string op, string what, int? allowed = null)
    {
        if (data is null) return; // computed by a device kernel within its range; checking would read it back
        for (int i = 0; i < data.Length; i++)
        {
            int v = data[i];
            if ((uint)v >= (uint)limit && v != allowed)
                throw new IndexOutOfRangeModularException($"{op}: {what} at position {Position(i)} of IntTensor {Shape} is {v}, outside [0, {limit}){(allowed is { } a ? $" and not the ignore index {a}" : "")}.");
        }
    }

    private string Position(int flat) => TensorShape.FormatPosition(shape, flat);

    /// <inheritdoc/>
    public override string ToString() => Count <= 64 ? $"IntTensor{Shape} [{string.Join(", ", Host)}]" : $"IntTensor{Shape}";
}

/// <summary>
/// Index values a device backend computed and keeps on its device (e.g. a libtorch int64 tensor). Freed with the
/// <see cref="TensorScope"/> they were made in; views from <see cref="IntTensor.Reshape"/> share them by reference count.
/// </summary>
internal abstract class DeviceIndices : IDisposable
{
    private int references = 1;

    public abstract Backend Backend { get; }

    /// <summary>Copies the values, row-major, to the host (the caller counts the read).</summary>
    public abstract void CopyTo(Span<int> destination);

    /// <summary>One more user of the same values.</summary>
    public DeviceIndices Share()
    {
        Interlocked.Increment(ref references);
        return this;
    }

    public void Dispose()
    {
        if (Interlocked.Decrement(ref references) == 0) Free();
    }

    protected abstract void Free();
}
