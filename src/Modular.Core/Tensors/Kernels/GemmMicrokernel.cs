using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Modular.Tensors.Kernels;

/// <summary>
/// The innermost block of the matrix multiply: a <see cref="Rows"/>×<see cref="Columns"/> tile of C computed
/// entirely in registers from a packed A panel (per depth step, <see cref="Rows"/> values of one column of A)
/// and a packed B panel (per depth step, <see cref="Columns"/> values of one row of B). Every element of C is
/// one chain of fused multiply-adds in depth order, so all kernels and all tile positions give the same sums.
/// </summary>
internal readonly unsafe struct GemmMicrokernel
{
    /// <summary>
    /// Runs the kernel: tile ← A·B over <c>depth</c> steps, then C ← (tile + β·C) + bias (β = 0 overwrites C, even NaN;
    /// bias, one value per column of the tile, may be null).
    /// </summary>
    private readonly delegate*<int, float*, float*, float*, nint, float, float*, void> run;

    /// <summary>
    /// The same tile with A read in place rather than packed (element (r, p) of A at <c>a[r·rsA + p·csA]</c>), or
    /// null when the kernel has no such form. Rows past <c>rows</c> re-read the last row; their results are not stored
    /// by the caller (edge tiles go through a scratch tile).
    /// </summary>
    private readonly delegate*<int, float*, nint, nint, int, float*, float*, nint, float, float*, void> runInPlace;

    private GemmMicrokernel(int rows, int columns, delegate*<int, float*, float*, float*, nint, float, float*, void> run,
        delegate*<int, float*, nint, nint, int, float*, float*, nint, float, float*, void> runInPlace = null)
    {
        Rows = rows;
        Columns = columns;
        this.run = run;
        this.runInPlace = runInPlace;
    }

    /// <summary>Rows of the register tile (MR): the height of a packed A panel.</summary>
    public int Rows { get; }

    /// <summary>Columns of the register tile (NR): the width of a packed B panel.</summary>
    public int Columns { get; }

    /// <summary>8×32 with Vector512: 16 accumulators, enough independent FMA chains to fill both pipes.</summary>
    public static GemmMicrokernel Vector512Kernel => new(8, 32, &Multiply8x32, &Multiply8x32InPlace);

    /// <summary>6×16 with Vector256: 12 accumulators, leaving room for B and the broadcast in 16 registers.</summary>
    public static GemmMicrokernel Vector256Kernel => new(6, 16, &Multiply6x16);

    /// <summary>4×4 in scalar code, for hardware without SIMD acceleration.</summary>
    public static GemmMicrokernel ScalarKernel => new(ScalarSize, ScalarSize, &MultiplyScalar);

    /// <summary>The widest kernel this processor accelerates.</summary>
    public static GemmMicrokernel Best { get; } =
        Vector512.IsHardwareAccelerated ? Vector512Kernel : Vector256.IsHardwareAccelerated ? Vector256Kernel : ScalarKernel;

    /// <summary>C[0..Rows, 0..Columns] (row stride <paramref name="ldc"/>) ← (A·B + β·C) + bias over <paramref name="depth"/> packed steps.</summary>
    public void Run(int depth, float* a, float* b, float* c, nint ldc, float beta, float* bias) => run(depth, a, b, c, ldc, beta, bias);

    /// <summary>Whether <see cref="RunInPlace"/> exists: A can skip packing.</summary>
    public bool ReadsAInPlace => runInPlace != null;

    /// <summary>As <see cref="Run"/> with A unpacked: <paramref name="rows"/> (≤ <see cref="Rows"/>) rows, element (r, p) at <c>a[r·rsA + p·csA]</c>.</summary>
    public void RunInPlace(int depth, float* a, nint rsA, nint csA, int rows, float* b, float* c, nint ldc, float beta, float* bias) =>
        runInPlace(depth, a, rsA, csA, rows, b, c, ldc, beta, bias);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Multiply8x32(int depth, float* a, float* b, float* c, nint ldc, float beta, float* bias)
    {
        PrefetchTile(c, ldc, 8, 32);
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < depth; p++, a += 8, b += 32)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var x = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[1]); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[2]); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[3]); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a[4]); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a[5]); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a[6]); c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a[7]); c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
        }
        Store(c, c00, c01, beta, bias); Store(c += ldc, c10, c11, beta, bias); Store(c += ldc, c20, c21, beta, bias); Store(c += ldc, c30, c31, beta, bias);
        Store(c += ldc, c40, c41, beta, bias); Store(c += ldc, c50, c51, beta, bias); Store(c += ldc, c60, c61, beta, bias); Store(c += ldc, c70, c71, beta, bias);
    }

    /// <summary>
    /// <see cref="Multiply8x32"/> reading A where it lies: each depth step broadcasts one value from each of 8 rows
    /// (8 read streams when A is row-major, one when it is a transposed row-major matrix, as gᵀ in a weight gradient).
    /// It saves packing A (a copy of the whole operand per column block); the sums are the same chains of fused
    /// multiply-adds, so the results are bit-identical to the packed kernel's. Kept apart from it: sending packed panels
    /// through this kernel (as a transposed A, rsA = 1, csA = 8) halved the 2048³ rate on this machine.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Multiply8x32InPlace(int depth, float* a, nint rsA, nint csA, int rows, float* b, float* c, nint ldc, float beta, float* bias)
    {
        PrefetchTile(c, ldc, 8, 32);
        float* a0 = a, a1 = a + Math.Min(1, rows - 1) * rsA, a2 = a + Math.Min(2, rows - 1) * rsA, a3 = a + Math.Min(3, rows - 1) * rsA;
        float* a4 = a + Math.Min(4, rows - 1) * rsA, a5 = a + Math.Min(5, rows - 1) * rsA, a6 = a + Math.Min(6, rows - 1) * rsA, a7 = a + Math.Min(7, rows - 1) * rsA;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        nint p = 0;
        for (float* end = b + (nint)depth * 32; b < end; b += 32, p += csA)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var x = Vector512.Create(a0[p]); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a1[p]); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a2[p]); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a3[p]); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a4[p]); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a5[p]); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a6[p]); c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a7[p]); c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
        }
        Store(c, c00, c01, beta, bias); Store(c += ldc, c10, c11, beta, bias); Store(c += ldc, c20, c21, beta, bias); Store(c += ldc, c30, c31, beta, bias);
        Store(c += ldc, c40, c41, beta, bias); Store(c += ldc, c50, c51, beta, bias); Store(c += ldc, c60, c61, beta, bias); Store(c += ldc, c70, c71, beta, bias);
    }

    /// <summary>
    /// Starts loading the C tile into L1 while the depth loop runs, so the store at the end does not stall on a
    /// cache miss (C is usually far bigger than L2, and each depth block reads it back). A row of
    /// <paramref name="columns"/> floats spans one more cache line when C is not 64-byte aligned: its last float is
    /// fetched too.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchTile(float* c, nint ldc, int rows, int columns)
    {
        if (!Sse.IsSupported) return;
        for (int i = 0; i < rows; i++, c += ldc)
        {
            for (int j = 0; j < columns; j += 16) Sse.Prefetch0(c + j);
            Sse.Prefetch0(c + columns - 1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector512<float> left, Vector512<float> right, float beta, float* bias)
    {
        if (beta != 0f)
        {
            var scale = Vector512.Create(beta);
            left = Vector512.FusedMultiplyAdd(Vector512.Load(c), scale, left);
            right = Vector512.FusedMultiplyAdd(Vector512.Load(c + 16), scale, right);
        }
        if (bias is not null)
        {
            left += Vector512.Load(bias);
            right += Vector512.Load(bias + 16);
        }
        left.Store(c);
        right.Store(c + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Multiply6x16(int depth, float* a, float* b, float* c, nint ldc, float beta, float* bias)
    {
        PrefetchTile(c, ldc, 6, 16);
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < depth; p++, a += 6, b += 16)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var x = Vector256.Create(a[0]); c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[1]); c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[2]); c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[3]); c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(a[4]); c40 = Vector256.FusedMultiplyAdd(x, b0, c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(a[5]); c50 = Vector256.FusedMultiplyAdd(x, b0, c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
        }
        Store(c, c00, c01, beta, bias); Store(c += ldc, c10, c11, beta, bias); Store(c += ldc, c20, c21, beta, bias);
        Store(c += ldc, c30, c31, beta, bias); Store(c += ldc, c40, c41, beta, bias); Store(c += ldc, c50, c51, beta, bias);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector256<float> left, Vector256<float> right, float beta, float* bias)
    {
        if (beta != 0f)
        {
            var scale = Vector256.Create(beta);
            left = Vector256.FusedMultiplyAdd(Vector256.Load(c), scale, left);
            right = Vector256.FusedMultiplyAdd(Vector256.Load(c + 8), scale, right);
        }
        if (bias is not null)
        {
            left += Vector256.Load(bias);
            right += Vector256.Load(bias + 8);
        }
        left.Store(c);
        right.Store(c + 8);
    }

    private const int ScalarSize = 4;

    private static void MultiplyScalar(int depth, float* a, float* b, float* c, nint ldc, float beta, float* bias)
    {
        float* tile = stackalloc float[ScalarSize * ScalarSize];
        new Span<float>(tile, ScalarSize * ScalarSize).Clear();
        for (int p = 0; p < depth; p++, a += ScalarSize, b += ScalarSize)
            for (int i = 0; i < ScalarSize; i++)
                for (int j = 0; j < ScalarSize; j++)
                    tile[i * ScalarSize + j] = MathF.FusedMultiplyAdd(a[i], b[j], tile[i * ScalarSize + j]);
        for (int i = 0; i < ScalarSize; i++)
            for (int j = 0; j < ScalarSize; j++)
            {
                ref float cij = ref c[i * ldc + j];
                float t = beta == 0f ? tile[i * ScalarSize + j] : MathF.FusedMultiplyAdd(cij, beta, tile[i * ScalarSize + j]);
                cij = bias is null ? t : t + bias[j];
            }
    }
}
