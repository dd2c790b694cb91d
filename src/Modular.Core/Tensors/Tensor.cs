using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Modular.Tensors.Autograd;

namespace Modular.Tensors;

/// <summary>
/// A float32 tensor of any rank: row-major storage seen through a shape, strides and an offset, so that
/// reshape, transpose, permute, slice and expand are views that copy nothing. Operations record what they
/// did when gradients are needed, and <see cref="Backward()"/> runs reverse-mode automatic differentiation.
/// </summary>
public partial class Tensor : IDisposable
{
    private TensorStorage storage;
    private readonly int[] shape;
    private readonly int[] strides;
    private int offset;
    private bool requiresGrad;

    internal Tensor(TensorStorage storage, int[] shape, int[] strides, int offset, bool scoped = true)
    {
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        if (scoped) TensorScope.Register(this);
    }

    /// <summary>The tensor's dimensions.</summary>
    public TensorShape Shape => new(shape);

    /// <summary>Number of dimensions.</summary>
    public int Rank => shape.Length;

    /// <summary>Number of elements.</summary>
    public int Count => TensorShape.Product(shape);

    /// <summary>Size of dimension <paramref name="axis"/> (negative axes count from the end).</summary>
    public int Size(int axis) => shape[NormalizeAxis(axis, "Size")];

    /// <summary>Strides in elements, one per dimension (0 for broadcast dimensions).</summary>
    public ReadOnlySpan<int> Strides => strides;

    internal int[] ShapeArray => shape;

    internal int[] StrideArray => strides;

    internal int Offset => offset;

    internal TensorStorage Storage => storage;

    /// <summary>The device whose memory holds this tensor and whose backend computes on it.</summary>
    public Device Device => storage.Device;

    internal Kernels.Backend Backend => storage.Backend;

    /// <summary>An optional name, shown in errors and summaries (parameters get their module path).</summary>
    public string? Name { get; set; }

    /// <summary>True once <see cref="Dispose"/> returned the memory to the pool.</summary>
    public bool IsDisposed => storage.IsReleased;

    /// <summary>True when the elements are laid out densely in row-major order starting at the offset.</summary>
    public bool IsContiguous
    {
        get
        {
            if (shape.Contains(0)) return true; // no elements: any strides will do
            int expected = 1;
            for (int i = shape.Length - 1; i >= 0; i--)
            {
                if (shape[i] != 1 && strides[i] != expected) return false;
                expected *= shape[i];
            }
            return true;
        }
    }

    /// <summary>Whether gradients flow to this tensor. Only leaves (tensors no operation produced) may be switched on.</summary>
    public bool RequiresGrad
    {
        get => requiresGrad;
        set
        {
            if (!value && GradFn is not null) throw new AutogradException($"Cannot switch off RequiresGrad on {Describe()}, which an operation produced; call Detach() for a tensor without history.");
            requiresGrad = value;
        }
    }

    /// <summary>The gradient accumulated by <see cref="Backward()"/> for a leaf that requires it; null before the first backward.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The recorded operation that produced this tensor, or null for a leaf.</summary>
    internal GradNode? GradFn { get; set; }

    /// <summary>A tensor is a leaf when no recorded operation produced it.</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>Gradient collected for a non-leaf during one backward pass.</summary>
    internal Tensor? PendingGrad { get; set; }

    // ---------------------------------------------------------------- element access

    /// <summary>The dense data of a contiguous tensor, as a span (throws for views that are not contiguous).</summary>
    public Span<float> Span
    {
        get
        {
            if (!IsContiguous) throw new InvalidOperationException($"{Describe()} is a non-contiguous view; call Contiguous() first.");
            return Data.AsSpan(offset, Count);
        }
    }

    /// <summary>The host buffer of a tensor on the CPU engine; device tensors are read through <see cref="ToArray"/> instead.</summary>
    internal float[] Data => storage is HostStorage host ? host.Data
        : throw new DeviceMismatchException($"{Describe()} lives on device '{Device}', not in host memory; read it with ToArray() or Item(), or move it with To(Device.Cpu).");

    /// <summary>The value of a one-element tensor (one counted host read for a device tensor).</summary>
    public float Item()
    {
        if (Count != 1) throw new ShapeMismatchException($"Item() needs a tensor with one element; {Describe()} has {Count}.");
        if (storage is HostStorage host) return host.Data[offset];
        return ToArray()[0];
    }

    /// <summary>The element at the given indices (negative indices count from the end; a counted host read on a device).</summary>
    [IndexerName("Element")]
    public float this[params int[] index]
    {
        get
        {
            int at = ElementOffset(index);
            if (storage is HostStorage host) return host.Data[at];
            using var element = View([], [], at);
            return element.ToArray()[0];
        }
        set
        {
            int at = ElementOffset(index);
            if (storage is HostStorage host) host.Data[at] = value;
            else
            {
                using var element = View([], [], at);
                Backend.Fill(element, value);
            }
        }
    }

    private int ElementOffset(int[] index)
    {
        if (index.Length != shape.Length) throw new ShapeMismatchException($"Indexing {Describe()} needs {shape.Length} indices, got {index.Length}.");
        int o = offset;
        for (int i = 0; i < index.Length; i++)
        {
            int k = index[i] < 0 ? index[i] + shape[i] : index[i];
            if ((uint)k >= (uint)shape[i]) throw new IndexOutOfRangeModularException($"Index {index[i]} is out of range for dimension {i} of size {shape[i]} in {Describe()}.");
            o += k * strides[i];
        }
        return o;
    }

    /// <summary>Copies the elements, in row-major order, into a new array.</summary>
    public float[] ToArray()
    {
        var result = new float[Count];
        CopyTo(result);
        return result;
    }

    /// <summary>Copies the elements, in row-major order, into <paramref name="destination"/> — for a device tensor, the one path by which its data reaches host memory (counted in <see cref="Device.HostReads"/>).</summary>
    public void CopyTo(Span<float> destination)
    {
        if (destination.Length < Count) throw new ShapeMismatchException($"CopyTo: destination holds {destination.Length} floats, {Describe()} has {Count}.");
        CheckNotDisposed(this, "CopyTo");
        if (!Device.IsHost) Device.CountHostRead();
        Backend.Download(this, destination[..Count]);
    }

    // ---------------------------------------------------------------- creation

    /// <summary>Allocates an uninitialised contiguous tensor in host memory from the pool, registered in the current scope.</summary>
    internal static Tensor Empty(ReadOnlySpan<int> shape) => Empty(shape.ToArray(), scoped: true);

    internal static Tensor Empty(int[] shape, bool scoped) =>
        new(HostStorage.Rent(TensorShape.Product(shape)), shape, TensorShape.ContiguousStrides(shape), 0, scoped);

    /// <summary>An uninitialised contiguous tensor on <paramref name="backend"/>'s device, registered in the current scope.</summary>
    internal static Tensor Empty(int[] shape, Kernels.Backend backend, bool scoped = true) =>
        new(backend.Allocate(TensorShape.Product(shape)), (int[])shape.Clone(), TensorShape.ContiguousStrides(shape), 0, scoped);

    /// <summary>An uninitialised contiguous tensor of <paramref name="shape"/> on this tensor's device.</summary>
    internal Tensor EmptyLike(int[] shape) => Empty(shape, Backend);

    /// <summary>A tensor of <paramref name="shape"/> filled with <paramref name="value"/>, on this tensor's device.</summary>
    internal Tensor FullLike(int[] shape, float value)
    {
        var t = EmptyLike(shape);
        Backend.Fill(t, value);
        return t;
    }

    /// <summary>A copy of host values with <paramref name="shape"/> on <paramref name="device"/> (a host-to-device copy, never a read).</summary>
    public static Tensor FromArray(ReadOnlySpan<float> data, int[] shape, Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var dims = TensorShape.Of(shape).Dims;
        int n = TensorShape.Product(dims);
        if (data.Length != n) throw new ShapeMismatchException($"FromArray: {data.Length} values cannot fill shape {TensorShape.Format(dims)} ({n} elements).");
        var t = Empty(dims, device.Backend);
        device.Backend.Upload(data, t);
        return t;
    }

    /// <summary>A tensor of <paramref name="shape"/> filled with <paramref name="value"/> on <paramref name="device"/>.</summary>
    public static Tensor Full(int[] shape, float value, Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var t = Empty(TensorShape.Of(shape).Dims, device.Backend);
        device.Backend.Fill(t, value);
        return t;
    }

    /// <summary>A tensor of zeros with <paramref name="shape"/> on <paramref name="device"/>.</summary>
    public static Tensor Zeros(int[] shape, Device device) => Full(shape, 0f, device);

    /// <summary>
    /// This tensor on <paramref name="device"/>: itself when it is already there, else a copy (without history) — for a
    /// device tensor moving to the host, one counted read.
    /// </summary>
    public Tensor To(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        CheckNotDisposed(this, "To");
        if (ReferenceEquals(device, Device)) return this;
        var moved = Empty((int[])shape.Clone(), device.Backend);
        CopyAcross(this, moved);
        moved.Name = Name;
        return moved;
    }

    /// <summary>Moves this tensor's storage to <paramref name="device"/> in place (parameters, gradients and optimiser state keep their identity).</summary>
    internal void MoveTo(Device device)
    {
        if (ReferenceEquals(device, Device) || storage.IsReleased) return;
        var moved = device.Backend.Allocate(Count);
        var target = new Tensor(moved, (int[])shape.Clone(), TensorShape.ContiguousStrides(shape), 0, scoped: false);
        CopyAcross(this, target);
        storage.Release();
        storage = moved;
        TensorShape.ContiguousStrides(shape).CopyTo(strides, 0);
        offset = 0;
    }

    /// <summary>Fresh storage on <paramref name="source"/>'s device holding its elements in row-major order.</summary>
    internal static TensorStorage CopyToNewStorage(Tensor source)
    {
        CheckNotDisposed(source, "Copy");
        var storage = source.Backend.Allocate(source.Count);
        storage.AddReference(); // the view below gives its reference back when disposed
        using var target = new Tensor(storage, (int[])source.shape.Clone(), TensorShape.ContiguousStrides(source.shape), 0, scoped: false);
        source.Backend.Copy(source, target);
        return storage;
    }

    /// <summary>Copies between devices through host memory: the destination backend uploads what the source downloads.</summary>
    private static void CopyAcross(Tensor source, Tensor destination)
    {
        var staging = new float[source.Count];
        source.CopyTo(staging);
        destination.Backend.Upload(staging, destination);
    }

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(params int[] shape) => Full(0f, shape);

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(params int[] shape) => Full(1f, shape);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(float value, params int[] shape)
    {
        var t = Empty(TensorShape.Of(shape).Dims);
        t.Span.Fill(value);
        return t;
    }

    /// <summary>A zero tensor with the shape of <paramref name="like"/>.</summary>
    public static Tensor ZerosLike(Tensor like)
    {
        ArgumentNullException.ThrowIfNull(like);
        return Zeros(like.shape);
    }

    /// <summary>A scalar (rank 0) tensor.</summary>
    public static Tensor Scalar(float value) => Full(value);

    /// <summary>A 1-D tensor holding a copy of <paramref name="data"/>.</summary>
    /// <remarks>
    /// Arrays and collection expressions such as <c>FromArray([1f, 2f])</c> convert to a span, so without this overload
    /// they would bind to the shaped one with an empty shape and ask for a scalar.
    /// </remarks>
    public static Tensor FromArray(ReadOnlySpan<float> data) => FromArray(data, data.Length);

    /// <summary>Copies <paramref name="data"/> into a new tensor of the given shape (an empty shape makes a scalar).</summary>
    public static Tensor FromArray(ReadOnlySpan<float> data, params int[] shape)
    {
        var dims = TensorShape.Of(shape).Dims;
        int n = TensorShape.Product(dims);
        if (data.Length != n) throw new ShapeMismatchException($"FromArray: {data.Length} values cannot fill shape {TensorShape.Format(dims)} ({n} elements).");
        var t = Empty(dims);
        data.CopyTo(t.Span);
        return t;
    }

    /// <summary>A 2-D tensor holding a rectangular array.</summary>
    public static Tensor FromArray(float[,] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var t = Empty([data.GetLength(0), data.GetLength(1)]);
        var span = t.Span;
        int k = 0;
        foreach (var v in data) span[k++] = v;
        return t;
    }

    /// <summary>Values start, start+step, ... below end, as a 1-D tensor.</summary>
    public static Tensor Arange(float start, float end, float step = 1f)
    {
        if (step == 0 || (end - start) / step < 0) throw new ConfigurationException($"Arange({start}, {end}, {step}) describes no values; step must move start towards end.");
        int n = (int)Math.Ceiling((end - start) / step);
        var t = Empty([n]);
        var s = t.Span;
        for (int i = 0; i < n; i++) s[i] = start + i * step;
        return t;
    }

    /// <summary>A view sharing this tensor's memory with another layout. The caller guarantees the layout fits.</summary>
    internal Tensor View(int[] newShape, int[] newStrides, int newOffset)
    {
        storage.AddReference();
        return new Tensor(storage, newShape, newStrides, newOffset);
    }

    /// <summary>The same layout of the same memory as a tensor of its own outside any scope: one more reference to the storage (autograd's shared gradients).</summary>
    internal Tensor SharedView()
    {
        storage.AddReference();
        return new Tensor(storage, (int[])shape.Clone(), (int[])strides.Clone(), offset, scoped: false);
    }

    /// <summary>Replaces this tensor's contents with a copy of <paramref name="source"/> (same shape), without recording gradients.</summary>
    public void CopyFrom(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!Shape.Equals(source.Shape)) throw new ShapeMismatchException($"CopyFrom: source {source.Describe()} does not match destination {Describe()}.");
        if (!ReferenceEquals(source.Device, Device)) CopyAcross(source, ContiguousOrThrow("CopyFrom"));
        else Backend.Copy(source, this);
    }

    // ---------------------------------------------------------------- lifetime

    /// <summary>Returns the memory to the pool (views keep it alive until they are disposed too).</summary>
    /// <remarks>
    /// The tensor keeps its place in the autograd graph: a later operation may have recorded it as an input, and
    /// cutting it out would turn it into a leaf where gradients silently stop. A backward pass that reaches it
    /// fails with <see cref="AutogradException"/> instead.
    /// </remarks>
    public void Dispose()
    {
        if (storage.IsReleased) return;
        storage.Release();
        storage = Released;
        // GradFn stays: the graph must still route gradients through a tensor whose values were freed.
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Frees a composite operation's temporaries once its <paramref name="result"/> exists — unless the result was
    /// recorded for backward, whose steps may still read them; the enclosing <see cref="TensorScope"/> (or the
    /// garbage collector) frees them after the backward pass instead.
    /// </summary>
    internal static void DisposeTemporaries(Tensor result, params ReadOnlySpan<Tensor> temporaries)
    {
        if (result.GradFn is not null) return;
        foreach (var t in temporaries) t.Dispose();
    }

    private static readonly TensorStorage Released = CreateReleased();

    private static TensorStorage CreateReleased()
    {
        var s = new HostStorage([], 0);
        s.Release();
        return s;
    }

    private Tensor ContiguousOrThrow(string op) => IsContiguous ? this
        : throw new DeviceMismatchException($"{op}: copying across devices needs a contiguous destination; {Describe()} is a strided view.");

    // ---------------------------------------------------------------- helpers

    internal int NormalizeAxis(int axis, string op)
    {
        int a = axis < 0 ? axis + shape.Length : axis;
        if ((uint)a >= (uint)Math.Max(shape.Length, 1) || (shape.Length == 0 && axis is not (0 or -1)))
            throw new IndexOutOfRangeModularException($"{op}: axis {axis} is out of range for {Describe()} (rank {shape.Length}); use 0..{shape.Length - 1} or negative axes from the end.");
        return a;
    }

    /// <summary>The backend of tensors that must share one device, or an error naming the operation, both devices and the tensors.</summary>
    internal static Kernels.Backend SameDevice(string op, Tensor a, Tensor b)
    {
        if (ReferenceEquals(a.storage.Backend, b.storage.Backend)) return a.storage.Backend;
        throw MixedDevices(op, a, b);
    }

    internal static Kernels.Backend SameDevice(string op, Tensor a, Tensor? b, Tensor? c)
    {
        var backend = b is null ? a.Backend : SameDevice(op, a, b);
        return c is null ? backend : SameDevice(op, a, c);
    }

    internal static DeviceMismatchException MixedDevices(string op, Tensor a, Tensor b) =>
        new($"{op}: {a.Describe()} is on device '{a.Device}' but {b.Describe()} is on device '{b.Device}'. Move one of them with .To(device) (or the whole model with model.To(device)) so both are on one device.");

    /// <summary>A short description for error messages: name (if any) and shape.</summary>
    public string Describe() => Name is null ? $"tensor {TensorShape.Format(shape)}" : $"'{Name}' {TensorShape.Format(shape)}";

    /// <summary>Shape, gradient status and (for small tensors) the values.</summary>
    public override string ToString()
    {
        if (IsDisposed) return $"Tensor{TensorShape.Format(shape)} (disposed)";
        var sb = new StringBuilder("Tensor").Append(TensorShape.Format(shape));
        if (RequiresGrad) sb.Append(" requires_grad");
        if (GradFn is not null) sb.Append(" grad_fn=").Append(GradFn.Name);
        if (Count <= 64)
        {
            sb.Append(' ');
            AppendValues(sb, ToArray(), 0, 0);
        }
        return sb.ToString();
    }

    private int AppendValues(StringBuilder sb, float[] values, int dim, int start)
    {
        if (dim == shape.Length)
        {
            sb.Append(values[start].ToString("G6", CultureInfo.InvariantCulture));
            return start + 1;
        }
        sb.Append('[');
        for (int i = 0; i < shape[dim]; i++)
        {
            if (i > 0) sb.Append(", ");
            start = AppendValues(sb, values, dim + 1, start);
        }
        sb.Append(']');
        return start;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CheckNotDisposed(Tensor t, string op)
    {
        if (t.storage.IsReleased) throw new ObjectDisposedException(nameof(Tensor), $"{op}: input {t.Describe()} was disposed (its scope ended). Keep it with TensorScope.Keep or compute it inside the scope.");
    }
}
