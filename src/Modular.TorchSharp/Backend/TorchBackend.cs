using System.Runtime.InteropServices;
using Modular.Tensors;
using Modular.Tensors.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Modular.TorchSharp.Backend;

/// <summary>
/// The <see cref="Backend"/> interface on a libtorch device: every kernel is libtorch operations on views of the
/// tensors' storage. Modular's tape records and calls these kernels forward and backward; no libtorch tensor here ever
/// requires a gradient, so libtorch's autograd records nothing. Each kernel runs in its own dispose scope, so the
/// intermediate libtorch tensors it makes are freed when it returns; what outlives it is adopted as a tensor's storage.
/// </summary>
/// <remarks>
/// Outputs arrive as fresh, unbound storage (see <see cref="TorchStorage"/>): a kernel's result becomes that storage
/// without a copy (<see cref="Write"/>). Views are zero-copy: <c>as_strided</c> over the storage with the Modular
/// tensor's offset, shape and strides.
/// </remarks>
internal sealed partial class TorchBackend : Modular.Tensors.Kernels.Backend
{
    public TorchBackend(string name, torch.Device torchDevice)
    {
        TorchDevice = torchDevice;
        Device = new Modular.Tensors.Device(name, this);
    }

    public override Modular.Tensors.Device Device { get; }

    /// <summary>The libtorch device every tensor of this backend lives on.</summary>
    public torch.Device TorchDevice { get; }

    // ---------------------------------------------------------------- memory

    public override TensorStorage Allocate(int length) => new TorchStorage(this, length);

    public override void Upload(ReadOnlySpan<float> source, Modular.Tensors.Tensor destination)
    {
        using var scope = Kernel();
        // written straight into libtorch's memory: no managed copy of the values on the way
        var host = empty(Dims(destination), float32);
        source.CopyTo(MemoryMarshal.Cast<byte, float>(host.bytes));
        Write(destination, TorchDevice.type == DeviceType.CPU ? host : host.to(TorchDevice));
    }

    public override void Download(Modular.Tensors.Tensor source, Span<float> destination)
    {
        using var scope = Kernel();
        var host = View(source).to(CPU).contiguous();
        MemoryMarshal.Cast<byte, float>(host.bytes).CopyTo(destination);
    }

    public override void Fill(Modular.Tensors.Tensor destination, float value)
    {
        using var scope = Kernel();
        if (IsFreshOutput(destination)) Write(destination, full(Dims(destination), S(value), float32, TorchDevice));
        else View(destination).fill_(S(value));
    }

    public override void Copy(Modular.Tensors.Tensor src, Modular.Tensors.Tensor dst)
    {
        using var scope = Kernel();
        View(dst).copy_(View(src));
    }

    // ---------------------------------------------------------------- kernel scopes

    // TorchSharp's dispose scopes free the tensors a kernel makes, not its Scalars: a number passed where libtorch takes
    // a Scalar becomes a small native object that lives until the garbage collector finalises it. Thousands of those a
    // step, spread among the step's buffers, kept glibc's heap from reusing its free memory (measured: the heap grew by
    // ~40 MB a step for the first ~15 steps of the LoRA benchmark, every new page a fault). So kernels make their
    // Scalars with S(...), and the kernel's scope frees them with its tensors; fixed values are made once (Fixed).
    // TorchSharp's add(x)/add_(x), for a tensor or a Scalar x, make an alpha Scalar of their own that nothing frees, so
    // every add here passes its alpha (Fixed.One); sub/sub_ have no alpha and make none. (Found by breaking on
    // THSTorch_*_to_scalar under gdb with the JIT's perf map: Adam's ε and layer norm's eps each leaked one a call.)
    [ThreadStatic] private static List<Scalar>? kernelScalars;

    /// <summary>A Scalar freed when the running kernel returns.</summary>
    private static Scalar S(double value) => Keep(value.ToScalar());

    /// <summary>An integer Scalar (for int64 tensors) freed when the running kernel returns.</summary>
    private static Scalar S(long value) => Keep(value.ToScalar());

    private static Scalar Keep(Scalar scalar)
    {
        (kernelScalars ??= []).Add(scalar);
        return scalar;
    }

    /// <summary>Scalars of fixed values, made once on first use (by a kernel, so libtorch is loaded) and shared by every kernel.</summary>
    private static class Fixed
    {
        public static readonly Scalar Zero = 0.0.ToScalar(), One = 1.0.ToScalar(), Two = 2.0.ToScalar(), Half = 0.5.ToScalar(), MinusHalf = (-0.5).ToScalar();
        public static readonly Scalar InverseSqrt2 = 0.70710678118654752440.ToScalar(), InverseSqrt2Pi = 0.39894228040143267794.ToScalar();
        public static readonly Scalar NegativeInfinity = double.NegativeInfinity.ToScalar();

        /// <summary>0 for int64 tensors.</summary>
        public static readonly Scalar ZeroIndex = 0L.ToScalar();
    }

    /// <summary>The scope of one kernel: the libtorch tensors and Scalars it makes are freed when it returns, except results it adopts.</summary>
    private static KernelScope Kernel() => new(NewDisposeScope(), kernelScalars?.Count ?? 0);

    private readonly ref struct KernelScope(DisposeScope tensors, int firstScalar)
    {
        public void Dispose()
        {
            tensors.Dispose();
            if (kernelScalars is not { } made) return;
            for (int i = made.Count - 1; i >= firstScalar; i--) made[i].Dispose();
            made.RemoveRange(firstScalar, made.Count - firstScalar);
        }
    }

    // ---------------------------------------------------------------- views and results

    /// <summary>The libtorch view of a Modular tensor: the storage itself when the tensor is all of it, else <c>as_strided</c>.</summary>
    internal static torch.Tensor View(Modular.Tensors.Tensor t)
    {
        var storage = Storage(t);
        var whole = storage.Tensor;
        if (t.Offset == 0 && t.IsContiguous && SameDims(storage.Dims, t.ShapeArray)) return whole;
        return whole.as_strided(Longs(t.ShapeArray), Longs(t.StrideArray), t.Offset);
    }

    /// <summary>A contiguous tensor seen with other dimensions of the same size (rows × columns, [outer, n, inner]).</summary>
    internal static torch.Tensor View(Modular.Tensors.Tensor t, params long[] dims)
    {
        var storage = Storage(t);
        var whole = storage.Tensor;
        if (t.Offset == 0 && SameDims(storage.Dims, dims)) return whole;
        return whole.as_strided(dims, ContiguousStrides(dims), t.Offset);
    }

    /// <summary>
    /// Makes <paramref name="result"/> the value of the output <paramref name="y"/>: adopted as y's storage when y is a
    /// fresh tensor covering all of it and the result is a dense float32 tensor of its size, else copied (and broadcast) into y.
    /// </summary>
    internal void Write(Modular.Tensors.Tensor y, torch.Tensor result)
    {
        var storage = Storage(y);
        if (IsFreshOutput(y) && result.dtype == float32 && result.numel() == y.Count && result.storage_offset() == 0 && result.is_contiguous()
            && result.device_type == TorchDevice.type)
        {
            storage.Adopt(result);
            return;
        }
        View(y).copy_(result);
    }

    private static bool IsFreshOutput(Modular.Tensors.Tensor y)
    {
        var storage = Storage(y);
        return storage.IsUnbound && y.Offset == 0 && y.Count == storage.Length && y.IsContiguous;
    }

    /// <summary>A Modular tensor whose storage is <paramref name="dense"/> (contiguous, float32, storage offset 0, on this device) itself.</summary>
    internal Modular.Tensors.Tensor Wrap(torch.Tensor dense, int[] shape)
    {
        var storage = new TorchStorage(this, (int)dense.numel());
        storage.Adopt(dense.detach()); // a handle of our own on the caller's memory
        return new Modular.Tensors.Tensor(storage, shape, Modular.Tensors.TensorShape.ContiguousStrides(shape), 0);
    }

    internal static TorchStorage Storage(Modular.Tensors.Tensor t) => t.Storage as TorchStorage
        ?? throw new DeviceMismatchException($"{t.Describe()} is on device '{t.Device}', not on a libtorch device; move it with .To(device) first.");

    /// <summary>
    /// Index values as an int64 libtorch tensor on this device with the given dimensions: a kernel's own indices as they
    /// are, host indices copied over (host to device; nothing is read back).
    /// </summary>
    internal torch.Tensor Indices(IntTensor index, params long[] dims)
    {
        if (index.OnDevice is TorchIndices own && ReferenceEquals(own.Backend, this))
            return SameDims(own.Tensor.shape, dims) ? own.Tensor : own.Tensor.reshape(dims);
        var values = index.Span;
        var wide = new long[values.Length];
        for (int i = 0; i < wide.Length; i++) wide[i] = values[i];
        var host = torch.tensor(wide, dims, int64);
        return TorchDevice.type == DeviceType.CPU ? host : host.to(TorchDevice);
    }

    public override IntTensor AllocateIndices(int[] shape) => new(new TorchIndices(this), (int[])shape.Clone());

    private static void Adopt(IntTensor indices, torch.Tensor values) => ((TorchIndices)indices.OnDevice!).Adopt(values.contiguous());

    internal static long[] Dims(Modular.Tensors.Tensor t) => Longs(t.ShapeArray);

    private static long[] Longs(int[] values)
    {
        var longs = new long[values.Length];
        for (int i = 0; i < values.Length; i++) longs[i] = values[i];
        return longs;
    }

    private static bool SameDims(long[] a, int[] b)
    {
        if (a.Length != b.Length) return false;
        for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) return false;
        return true;
    }

    private static bool SameDims(long[] a, long[] b) => a.AsSpan().SequenceEqual(b);

    private static long[] ContiguousStrides(long[] dims)
    {
        var strides = new long[dims.Length];
        long stride = 1;
        for (int i = dims.Length - 1; i >= 0; i--)
        {
            strides[i] = stride;
            stride *= dims[i];
        }
        return strides;
    }
}
