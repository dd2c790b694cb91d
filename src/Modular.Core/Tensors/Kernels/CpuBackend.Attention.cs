using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Modular.Tensors.Kernels;

// Attention as one kernel per (batch item, head): the two products, the scaled and masked softmax between them, and
// the head's columns of the output written in place — no score tensor scaled in a pass of its own, no transposed
// copies of the heads. The (batch, head) pairs are spread over the compute threads; each runs its products alone.
internal sealed unsafe partial class CpuBackend
{
    private struct AttentionJob
    {
        public AttentionShape Shape;
        public float* Q, K, V, KeyMask, P, O, DO, DS, DQ, DK, DV;
    }

    public void Attention(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<float> keyMask,
        Span<float> probabilities, Span<float> output, AttentionShape shape)
    {
        fixed (float* pq = q, pk = k, pv = v, pmask = keyMask, pp = probabilities, po = output)
        {
            var job = new AttentionJob { Shape = shape, Q = pq, K = pk, V = pv, KeyMask = keyMask.IsEmpty ? null : pmask, P = pp, O = po };
            ComputeThreads.For(shape.Batch * shape.Heads, PairsPerChunk(shape), &job, &AttentionPairs);
        }
    }

    /// <summary>
    /// The gradients of the attention above; an empty <paramref name="dq"/>, <paramref name="dk"/> or <paramref name="dv"/>
    /// is not computed, and <paramref name="scratch"/> is read only for dq or dk.
    /// </summary>
    public void AttentionBackward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<float> probabilities,
        ReadOnlySpan<float> gradOutput, Span<float> scratch, Span<float> dq, Span<float> dk, Span<float> dv, AttentionShape shape)
    {
        fixed (float* pq = q, pk = k, pv = v, pp = probabilities, pdo = gradOutput, pds = scratch, pdq = dq, pdk = dk, pdv = dv)
        {
            var job = new AttentionJob { Shape = shape, Q = pq, K = pk, V = pv, P = pp, DO = pdo, DS = pds, DQ = pdq, DK = pdk, DV = pdv };
            ComputeThreads.For(shape.Batch * shape.Heads, PairsPerChunk(shape), &job, &AttentionBackwardPairs);
        }
    }

    /// <summary>Enough (batch, head) pairs per chunk that a chunk outweighs waking a thread (about 2¹⁸ multiply-adds).</summary>
    private static int PairsPerChunk(AttentionShape s) => (int)Math.Max(1, (1L << 18) / Math.Max(1, (long)s.Queries * s.Keys * s.HeadWidth));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AttentionPairs(void* state, int start, int end)
    {
        ref var job = ref Unsafe.AsRef<AttentionJob>(state);
        var s = job.Shape;
        int n = s.Queries, m = s.Keys, d = s.Width, dh = s.HeadWidth;
        for (int pair = start; pair < end; pair++)
        {
            int b = pair / s.Heads, h = pair % s.Heads;
            float* q = job.Q + ((long)b * n * d + h * dh), k = job.K + ((long)b * m * d + h * dh), v = job.V + ((long)b * m * d + h * dh);
            float* p = job.P + (long)pair * n * m, o = job.O + ((long)b * n * d + h * dh);
            // scores = q·kᵀ: kᵀ's element (c, j) is k[j·d + c]
            Kernels.Gemm.Multiply(n, m, dh, 1f, Rows(q, n, dh, d), d, 1, Rows(k, m, dh, d), 1, d, 0f, new Span<float>(p, n * m), m);
            float* mask = job.KeyMask is null ? null : job.KeyMask + (long)b * m;
            for (int i = 0; i < n; i++) SoftmaxScaled(new Span<float>(p + (long)i * m, m), mask, s.Scale);
            // the head's output columns = p·v
            Kernels.Gemm.Multiply(n, dh, m, 1f, new ReadOnlySpan<float>(p, n * m), m, 1, Rows(v, m, dh, d), d, 1, 0f, Rows(o, n, dh, d), d);
        }
    }

    /// <summary>
    /// row ← softmax(scale·row) over the unmasked entries; masked ones become 0 (a fully masked row NaN, as PyTorch).
    /// The row is scaled before its maximum is taken, so the largest entry's exponent is exactly 0 however large the
    /// scores (folding the scale into the shift would leave the rounding error of scale·max, which overflows exp).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SoftmaxScaled(Span<float> row, float* mask, float scale)
    {
        if (mask is not null)
            for (int j = 0; j < row.Length; j++)
                if (mask[j] != 1f) row[j] = float.NegativeInfinity;
        TensorPrimitives.Multiply(row, scale, row);
        SoftmaxRow(row, row);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AttentionBackwardPairs(void* state, int start, int end)
    {
        ref var job = ref Unsafe.AsRef<AttentionJob>(state);
        var s = job.Shape;
        int n = s.Queries, m = s.Keys, d = s.Width, dh = s.HeadWidth;
        for (int pair = start; pair < end; pair++)
        {
            int b = pair / s.Heads, h = pair % s.Heads;
            long queryHead = (long)b * n * d + h * dh, keyHead = (long)b * m * d + h * dh;
            float* q = job.Q + queryHead, k = job.K + keyHead, v = job.V + keyHead, dO = job.DO + queryHead;
            float* p = job.P + (long)pair * n * m, ds = job.DS + (long)pair * n * m;
            var probabilities = new ReadOnlySpan<float>(p, n * m);
            // dv = pᵀ·dO (pᵀ's element (j, i) is p[i·m + j])
            if (job.DV is not null)
                Kernels.Gemm.Multiply(m, dh, n, 1f, probabilities, 1, m, Rows(dO, n, dh, d), d, 1, 0f, Rows(job.DV + keyHead, m, dh, d), d);
            if (job.DQ is null && job.DK is null) continue;
            // dp = dO·vᵀ, then the softmax's backward in place: ds = scale·p ⊙ (dp − ⟨dp, p⟩) per row
            Kernels.Gemm.Multiply(n, m, dh, 1f, Rows(dO, n, dh, d), d, 1, Rows(v, m, dh, d), 1, d, 0f, new Span<float>(ds, n * m), m);
            for (int i = 0; i < n; i++)
            {
                var dsRow = new Span<float>(ds + (long)i * m, m);
                SoftmaxBackwardRow(probabilities.Slice(i * m, m), dsRow, dsRow);
                TensorPrimitives.Multiply(dsRow, s.Scale, dsRow);
            }
            var scoreGrad = new ReadOnlySpan<float>(ds, n * m);
            // dq = ds·k, dk = dsᵀ·q
            if (job.DQ is not null)
                Kernels.Gemm.Multiply(n, dh, m, 1f, scoreGrad, m, 1, Rows(k, m, dh, d), d, 1, 0f, Rows(job.DQ + queryHead, n, dh, d), d);
            if (job.DK is not null)
                Kernels.Gemm.Multiply(m, dh, n, 1f, scoreGrad, 1, m, Rows(q, n, dh, d), d, 1, 0f, Rows(job.DK + keyHead, m, dh, d), d);
        }
    }

    /// <summary>The span covering <paramref name="rows"/> rows of <paramref name="columns"/> values, <paramref name="stride"/> apart.</summary>
    private static Span<float> Rows(float* first, int rows, int columns, int stride) => new(first, rows == 0 ? 0 : (rows - 1) * stride + columns);
}
