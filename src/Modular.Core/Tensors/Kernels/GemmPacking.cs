using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Modular.Tensors.Kernels;

/// <summary>
/// Copies a strided block of A or B into the panel layout the <see cref="GemmMicrokernel"/> streams through.
/// Both operands pack the same way: a block of <c>lanes</c> × <c>depth</c> values (lanes are the rows of A or
/// the columns of B) becomes panels of <c>width</c> lanes, each holding, depth step after depth step, the
/// <c>width</c> values of its lanes — contiguous, in depth order. An edge panel's missing lanes are left as the
/// buffer held them: they only feed tile rows or columns outside C, which are never stored.
/// Compiled optimised from the first call, as the kernels are: packing runs on every product.
/// </summary>
internal static unsafe class GemmPacking
{
    private const int TransposeSize = 8;

    /// <summary>
    /// Packs scale·X for the block whose element (lane l, depth p) is at <c>x[l·laneStride + p·depthStride]</c>,
    /// <paramref name="lanes"/> × <paramref name="depth"/>, into panels of <paramref name="width"/> lanes at <paramref name="packed"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackPanels(float* x, nint laneStride, nint depthStride, int lanes, int depth, int width, float scale, float* packed)
    {
        if (laneStride == 1)
        {
            PackContiguousLanes(x, depthStride, lanes, depth, width, scale, packed);
            return;
        }
        for (int l0 = 0; l0 < lanes; l0 += width, packed += (nint)width * depth)
        {
            int count = Math.Min(width, lanes - l0);
            float* panel = x + l0 * laneStride;
            if (depthStride == 1 && count % TransposeSize == 0 && Avx.IsSupported) PackContiguousDepth(panel, laneStride, count, depth, width, scale, packed);
            else PackStrided(panel, laneStride, depthStride, count, depth, width, scale, packed);
        }
    }

    /// <summary>
    /// Each depth step's lanes are adjacent in memory (row-major B, transposed A): the step is read once, front to
    /// back, and dealt out to the panels.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackContiguousLanes(float* x, nint depthStride, int lanes, int depth, int width, float scale, float* packed)
    {
        var factor = Vector256.Create(scale);
        nint panelSize = (nint)width * depth;
        for (int p = 0; p < depth; p++, x += depthStride)
        {
            float* dst = packed + p * width;
            for (int l0 = 0; l0 < lanes; l0 += width, dst += panelSize)
            {
                int count = Math.Min(width, lanes - l0), l = 0;
                for (; l + Vector256<float>.Count <= count; l += Vector256<float>.Count) (factor * Vector256.Load(x + l0 + l)).Store(dst + l);
                for (; l < count; l++) dst[l] = scale * x[l0 + l];
            }
        }
    }

    /// <summary>
    /// Each lane runs contiguously through depth (row-major A, transposed B): 8×8 blocks are transposed in registers,
    /// which keeps both the reads and the writes sequential.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackContiguousDepth(float* x, nint laneStride, int count, int depth, int width, float scale, float* packed)
    {
        var factor = Vector256.Create(scale);
        int p = 0;
        for (; p + TransposeSize <= depth; p += TransposeSize)
            for (int l = 0; l < count; l += TransposeSize)
                Transpose8x8(x + l * laneStride + p, laneStride, packed + p * width + l, width, factor);
        PackStrided(x + p, laneStride, 1, count, depth - p, width, scale, packed + p * width);
    }

    /// <summary>dst[q·dstStride + r] = factor·src[r·srcStride + q] for r, q in [0, 8).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, nint srcStride, float* dst, nint dstStride, Vector256<float> factor)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + srcStride);
        var r2 = Avx.LoadVector256(src + 2 * srcStride);
        var r3 = Avx.LoadVector256(src + 3 * srcStride);
        var r4 = Avx.LoadVector256(src + 4 * srcStride);
        var r5 = Avx.LoadVector256(src + 5 * srcStride);
        var r6 = Avx.LoadVector256(src + 6 * srcStride);
        var r7 = Avx.LoadVector256(src + 7 * srcStride);
        // Interleave pairs of rows, then pairs of pairs; each 128-bit half now holds a 4×4 transpose.
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        // Join the low halves of rows 0–3 and 4–7 for columns 0–3, the high halves for columns 4–7.
        (factor * Avx.Permute2x128(u0, u4, 0x20)).Store(dst);
        (factor * Avx.Permute2x128(u1, u5, 0x20)).Store(dst + dstStride);
        (factor * Avx.Permute2x128(u2, u6, 0x20)).Store(dst + 2 * dstStride);
        (factor * Avx.Permute2x128(u3, u7, 0x20)).Store(dst + 3 * dstStride);
        (factor * Avx.Permute2x128(u0, u4, 0x31)).Store(dst + 4 * dstStride);
        (factor * Avx.Permute2x128(u1, u5, 0x31)).Store(dst + 5 * dstStride);
        (factor * Avx.Permute2x128(u2, u6, 0x31)).Store(dst + 6 * dstStride);
        (factor * Avx.Permute2x128(u3, u7, 0x31)).Store(dst + 7 * dstStride);
    }

    /// <summary>Any layout: element by element, depth step by depth step (sequential writes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackStrided(float* x, nint laneStride, nint depthStride, int count, int depth, int width, float scale, float* packed)
    {
        for (int p = 0; p < depth; p++, x += depthStride, packed += width)
            for (int l = 0; l < count; l++) packed[l] = scale * x[l * laneStride];
    }
}
