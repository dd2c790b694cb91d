using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Modular.Tensors.Kernels.Operators;

namespace Modular.Tensors.Kernels;

/// <summary>
/// The inner loops of every element-wise operation: one generic loop per operand pattern (span, span-span,
/// span-scalar, scalar-span), specialised by the JIT for each operator struct. Widest available SIMD first
/// (512-bit, then 256-bit), scalar for the tail.
/// </summary>
internal static class ElementwiseLoops
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Unary<TOp>(TOp op, ReadOnlySpan<float> x, Span<float> y) where TOp : struct, IUnaryOperator
    {
        int n = x.Length, i = 0;
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - 16; i += 16) op.Invoke(Vector512.LoadUnsafe(ref xs, (nuint)i)).StoreUnsafe(ref ys, (nuint)i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 8; i += 8) op.Invoke(Vector256.LoadUnsafe(ref xs, (nuint)i)).StoreUnsafe(ref ys, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref ys, i) = op.Invoke(Unsafe.Add(ref xs, i));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Binary<TOp>(TOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y) where TOp : struct, IBinaryOperator
    {
        int n = y.Length, i = 0;
        ref float pa = ref MemoryMarshal.GetReference(a);
        ref float pb = ref MemoryMarshal.GetReference(b);
        ref float py = ref MemoryMarshal.GetReference(y);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - 16; i += 16)
                op.Invoke(Vector512.LoadUnsafe(ref pa, (nuint)i), Vector512.LoadUnsafe(ref pb, (nuint)i)).StoreUnsafe(ref py, (nuint)i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 8; i += 8)
                op.Invoke(Vector256.LoadUnsafe(ref pa, (nuint)i), Vector256.LoadUnsafe(ref pb, (nuint)i)).StoreUnsafe(ref py, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref py, i) = op.Invoke(Unsafe.Add(ref pa, i), Unsafe.Add(ref pb, i));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Binary<TOp>(TOp op, ReadOnlySpan<float> a, float b, Span<float> y) where TOp : struct, IBinaryOperator
    {
        int n = y.Length, i = 0;
        ref float pa = ref MemoryMarshal.GetReference(a);
        ref float py = ref MemoryMarshal.GetReference(y);
        if (Vector512.IsHardwareAccelerated)
        {
            var vb = Vector512.Create(b);
            for (; i <= n - 16; i += 16) op.Invoke(Vector512.LoadUnsafe(ref pa, (nuint)i), vb).StoreUnsafe(ref py, (nuint)i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var vb = Vector256.Create(b);
            for (; i <= n - 8; i += 8) op.Invoke(Vector256.LoadUnsafe(ref pa, (nuint)i), vb).StoreUnsafe(ref py, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref py, i) = op.Invoke(Unsafe.Add(ref pa, i), b);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Binary<TOp>(TOp op, float a, ReadOnlySpan<float> b, Span<float> y) where TOp : struct, IBinaryOperator
    {
        int n = y.Length, i = 0;
        ref float pb = ref MemoryMarshal.GetReference(b);
        ref float py = ref MemoryMarshal.GetReference(y);
        if (Vector512.IsHardwareAccelerated)
        {
            var va = Vector512.Create(a);
            for (; i <= n - 16; i += 16) op.Invoke(va, Vector512.LoadUnsafe(ref pb, (nuint)i)).StoreUnsafe(ref py, (nuint)i);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(a);
            for (; i <= n - 8; i += 8) op.Invoke(va, Vector256.LoadUnsafe(ref pb, (nuint)i)).StoreUnsafe(ref py, (nuint)i);
        }
        for (; i < n; i++) Unsafe.Add(ref py, i) = op.Invoke(a, Unsafe.Add(ref pb, i));
    }

    /// <summary>Strided fallback: y[i] = op(a[i·sa], b[i·sb]) for any strides.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BinaryStrided<TOp>(TOp op, ReadOnlySpan<float> a, int strideA, ReadOnlySpan<float> b, int strideB, Span<float> y, int strideY, int n)
        where TOp : struct, IBinaryOperator
    {
        for (int i = 0; i < n; i++) y[i * strideY] = op.Invoke(a[i * strideA], b[i * strideB]);
    }

    /// <summary>Strided fallback: y[i·sy] = op(x[i·sx]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void UnaryStrided<TOp>(TOp op, ReadOnlySpan<float> x, int strideX, Span<float> y, int strideY, int n) where TOp : struct, IUnaryOperator
    {
        for (int i = 0; i < n; i++) y[i * strideY] = op.Invoke(x[i * strideX]);
    }
}
