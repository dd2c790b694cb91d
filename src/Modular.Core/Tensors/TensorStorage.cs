using Modular.Tensors.Kernels;

namespace Modular.Tensors;

/// <summary>
/// The memory behind one or more tensors (a tensor and its views share it), on one device. Reference counted so that
/// it is freed exactly when the last tensor using it is disposed; tensors that are never disposed leave it to the
/// garbage collector (and, for device memory, to the backend's finaliser).
/// </summary>
internal abstract class TensorStorage(int length)
{
    private int references = 1;
    private bool released;

    public int Length { get; } = length;

    /// <summary>The backend that owns this memory and runs the kernels on it.</summary>
    public abstract Backend Backend { get; }

    public Device Device => Backend.Device;

    public bool IsReleased => Volatile.Read(ref released);

    /// <summary>True while exactly one tensor uses this memory (no views share it).</summary>
    public bool IsExclusive => Volatile.Read(ref references) == 1;

    /// <summary>How many tensors use this memory.</summary>
    public int References => Volatile.Read(ref references);

    public void AddReference() => Interlocked.Increment(ref references);

    public void Release()
    {
        if (Interlocked.Decrement(ref references) > 0 || released) return;
        released = true;
        Free();
    }

    /// <summary>Gives the memory back (to the pool, or to the device allocator).</summary>
    protected abstract void Free();

    protected static ObjectDisposedException Disposed() => new(nameof(Tensor), "This tensor's memory was freed (the tensor or its scope was disposed). Keep the tensor with TensorScope.Keep or copy it before the scope ends.");
}

/// <summary>Host memory of the CPU engine: a pinned float buffer rented from the <see cref="BufferPool"/>.</summary>
internal sealed class HostStorage : TensorStorage
{
    private float[]? data;

    public HostStorage(float[] data, int length) : base(length) => this.data = data;

    public static HostStorage Rent(int length) => new(BufferPool.Rent(length), length);

    public override Backend Backend => CpuBackend.Instance;

    public float[] Data => data ?? throw Disposed();

    protected override void Free()
    {
        if (data is { Length: > 0 }) BufferPool.Return(data);
        data = null;
    }
}
