using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Modular.Tensors.Kernels;

/// <summary>
/// Single-precision matrix multiply C ← α·A·B + β·C over strided operands (so transposed views need no copy).
/// Blocked over K; B's block is packed row-major so the inner loop is a contiguous fused multiply-add.
/// </summary>
internal static unsafe class Gemm
{
    private const int BlockK = 256;

    private struct Job
    {
        public float* A, B, C, PackedB;
        public int M, N, K, RsA, CsA, Ldc, K0, Kc;
        public float Alpha;
    }

    public static void Multiply(int m, int n, int k, float alpha, ReadOnlySpan<float> a, int rsA, int csA, ReadOnlySpan<float> b, int rsB, int csB, float beta, Span<float> c, int ldc)
    {
        if (m == 0 || n == 0) return;
        fixed (float* pc = c)
        {
            for (int i = 0; i < m; i++)
            {
                var row = new Span<float>(pc + (long)i * ldc, n);
                if (beta == 0f) row.Clear();
                else if (beta != 1f) TensorPrimitives.Multiply(row, beta, row);
            }
            if (k == 0 || alpha == 0f) return;
            var packed = BufferPool.Rent(Math.Min(k, BlockK) * n);
            try
            {
                fixed (float* pa = a, pb = b, pp = packed)
                {
                    for (int k0 = 0; k0 < k; k0 += BlockK)
                    {
                        int kc = Math.Min(BlockK, k - k0);
                        for (int p = 0; p < kc; p++)
                        {
                            float* src = pb + (long)(k0 + p) * rsB;
                            float* dst = pp + (long)p * n;
                            if (csB == 1) new ReadOnlySpan<float>(src, n).CopyTo(new Span<float>(dst, n));
                            else for (int j = 0; j < n; j++) dst[j] = src[(long)j * csB];
                        }
                        var job = new Job { A = pa, PackedB = pp, C = pc, M = m, N = n, K = k, RsA = rsA, CsA = csA, Ldc = ldc, K0 = k0, Kc = kc, Alpha = alpha };
                        ComputeThreads.For(m, Math.Max(1, (1 << 16) / Math.Max(1, kc * n)), &job, &Rows);
                    }
                }
            }
            finally
            {
                BufferPool.Return(packed);
            }
        }
    }

    private static void Rows(void* state, int start, int end)
    {
        ref var j = ref Unsafe.AsRef<Job>(state);
        for (int i = start; i < end; i++)
        {
            var row = new Span<float>(j.C + (long)i * j.Ldc, j.N);
            float* ai = j.A + (long)i * j.RsA + (long)j.K0 * j.CsA;
            for (int p = 0; p < j.Kc; p++)
            {
                float s = j.Alpha * ai[(long)p * j.CsA];
                TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(j.PackedB + (long)p * j.N, j.N), s, row, row);
            }
        }
    }
}
