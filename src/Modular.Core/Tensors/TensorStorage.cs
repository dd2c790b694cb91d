namespace Modular.Tensors;

/// <summary>
/// The float buffer behind one or more tensors (a tensor and its views share it). Reference counted so that
/// the buffer goes back to the <see cref="BufferPool"/> exactly when the last tensor using it is disposed;
/// tensors that are never disposed simply leave their buffer to the garbage collector.
/// </summary>
internal sealed class TensorStorage
{
    private float[]? data;
    private int references = 1;

    public TensorStorage(float[] data, int length)
    {
        this.data = data;
        Length = length;
    }

    public static TensorStorage Rent(int length) => new(BufferPool.Rent(length), length);

    public int Length { get; }

    public bool IsReleased => data is null;

    public float[] Data => data ?? throw new ObjectDisposedException(nameof(Tensor), "This tensor's memory was returned to the pool (the tensor or its scope was disposed). Keep the tensor with TensorScope.Keep or copy it before the scope ends.");

    public Span<float> Span => Data.AsSpan(0, Length);

    /// <summary>True while exactly one tensor uses this buffer (no views share it).</summary>
    public bool IsExclusive => Volatile.Read(ref references) == 1;

    public void AddReference() => Interlocked.Increment(ref references);

    public void Release()
    {
        if (Interlocked.Decrement(ref references) > 0 || data is null) return;
        BufferPool.Return(data);
        data = null;
    }
}
