namespace Modular.Tensors;

/// <summary>
/// Recycles tensor buffers by exact length. A training step repeats the same shapes, so after the first
/// step every buffer it needs is already here and the step allocates next to nothing on the managed heap.
/// Buffers are pinned (stable addresses for the SIMD kernels) and handed out uninitialised.
/// </summary>
public static class BufferPool
{
    private static readonly Dictionary<int, Stack<float[]>> Free = [];
    private static readonly Lock Gate = new();
    private static long pooledFloats;

    /// <summary>Total floats currently held in the pool, waiting for reuse.</summary>
    public static long PooledBytes { get { lock (Gate) return pooledFloats * sizeof(float); } }

    /// <summary>Returns a buffer of exactly <paramref name="length"/> floats, with arbitrary contents.</summary>
    public static float[] Rent(int length)
    {
        lock (Gate)
        {
            if (Free.TryGetValue(length, out var stack) && stack.Count > 0)
            {
                pooledFloats -= length;
                return stack.Pop();
            }
        }
        return GC.AllocateUninitializedArray<float>(length, pinned: true);
    }

    /// <summary>Gives a buffer back for reuse. The caller must not touch it afterwards.</summary>
    public static void Return(float[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        lock (Gate)
        {
            if (!Free.TryGetValue(buffer.Length, out var stack)) Free[buffer.Length] = stack = new Stack<float[]>();
            stack.Push(buffer);
            pooledFloats += buffer.Length;
        }
    }

    /// <summary>Drops every pooled buffer so the garbage collector can reclaim the memory.</summary>
    public static void Trim()
    {
        lock (Gate)
        {
            Free.Clear();
            pooledFloats = 0;
        }
    }
}
