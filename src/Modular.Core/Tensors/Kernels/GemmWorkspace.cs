using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Modular.Tensors.Kernels;

/// <summary>
/// Per-thread packing buffers for <see cref="Gemm"/>: each thread keeps its own, grown on demand and reused by
/// every later call, so the steady state allocates nothing and needs no lock. The buffers are pinned and
/// handed out 64-byte aligned so a packed panel row never straddles two cache lines. They die with their thread.
/// </summary>
internal static unsafe class GemmWorkspace
{
    private const int AlignmentFloats = 64 / sizeof(float);

    [ThreadStatic] private static float[]? packedA;
    [ThreadStatic] private static float[]? packedB;

    /// <summary>This thread's buffer for packed A panels, at least <paramref name="floats"/> long.</summary>
    public static float* PackedA(int floats) => Aligned(ref packedA, floats);

    /// <summary>This thread's buffer for packed B panels, at least <paramref name="floats"/> long.</summary>
    public static float* PackedB(int floats) => Aligned(ref packedB, floats);

    private static float* Aligned(ref float[]? buffer, int floats)
    {
        if (buffer is null || buffer.Length < floats + AlignmentFloats)
            buffer = GC.AllocateUninitializedArray<float>(floats + AlignmentFloats, pinned: true);
        nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (float*)((start + 63) & ~(nint)63);
    }
}
