using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Modular.Tensors.Kernels;

// The Backend interface on host memory: each kernel takes its tensors' spans (contiguous from their offsets, as the
// operations guarantee) and runs the span kernels of the other CpuBackend files.
internal sealed unsafe partial class CpuBackend
{
    /// <summary>The one CPU engine.</summary>
    public static CpuBackend Instance { get; } = new();

    private CpuBackend() { }

    public override Device Device => Device.Cpu;

    private static Span<float> S(Tensor t) => t.Data.AsSpan(t.Offset, t.Count);

    private static Span<float> S(Tensor? t, bool optional) => t is null ? default : S(t);

    public override TensorStorage Allocate(int length) => HostStorage.Rent(length);

    public override void Upload(ReadOnlySpan<float> source, Tensor destination) => source.CopyTo(S(destination));

    public override void Download(Tensor source, Span<float> destination)
    {
        if (source.IsContiguous)
        {
            S(source).CopyTo(destination);
            return;
        }
        using var dense = Tensor.Empty(source.ShapeArray, scoped: false);
        Copy(source, dense);
        S(dense).CopyTo(destination);
    }

    public override void Fill(Tensor destination, float value)
    {
        if (destination.IsContiguous) S(destination).Fill(value);
        else
        {
            using var scalar = Tensor.Empty([], scoped: false).FillWith(value); // broadcast into the strided view
            Copy(scalar, destination);
        }
    }

    public override void ScaledAddInPlace(Tensor dst, Tensor src, float alpha) => ScaledAddInPlace(S(dst), S(src), alpha);

    public override void SumAxis(Tensor x, int outer, int n, int inner, Tensor y) => SumAxis(S(x), outer, n, inner, S(y));

    public override void MaxAxis(Tensor x, int outer, int n, int inner, Tensor values, IntTensor indices) => MaxAxis(S(x), outer, n, inner, S(values), indices.Span);

    public override void Softmax(Tensor x, Tensor y, int rows, int n, bool log) => Softmax(S(x), S(y), rows, n, log);

    public override void SoftmaxBackward(Tensor y, Tensor g, Tensor dx, int rows, int n, bool log) => SoftmaxBackward(S(y), S(g), S(dx), rows, n, log);

    public override void Attention(Tensor q, Tensor k, Tensor v, Tensor? keyMask, Tensor probabilities, Tensor output, AttentionShape shape) =>
        Attention(S(q), S(k), S(v), S(keyMask, optional: true), S(probabilities), S(output), shape);

    public override void AttentionBackward(Tensor q, Tensor k, Tensor v, Tensor probabilities, Tensor gradOutput, Tensor? scratch, Tensor? dq, Tensor? dk, Tensor? dv, AttentionShape shape) =>
        AttentionBackward(S(q), S(k), S(v), S(probabilities), S(gradOutput), S(scratch, optional: true), S(dq, optional: true), S(dk, optional: true), S(dv, optional: true), shape);

    public override void LayerNorm(Tensor x, Tensor? gamma, Tensor? beta, Tensor y, Tensor mean, Tensor rstd, int rows, int n, float eps) =>
        LayerNorm(S(x), S(gamma, optional: true), S(beta, optional: true), S(y), S(mean), S(rstd), rows, n, eps);

    public override void LayerNormBackward(Tensor x, Tensor? gamma, Tensor mean, Tensor rstd, Tensor g, Tensor? dx, Tensor? dgamma, Tensor? dbeta, int rows, int n, float eps) =>
        LayerNormBackward(S(x), S(gamma, optional: true), S(mean), S(rstd), S(g), dx is null ? default : S(dx), dgamma is null ? default : S(dgamma), dbeta is null ? default : S(dbeta), rows, n);

    public override void Linear(Tensor x, Tensor weight, Tensor? bias, Tensor y)
    {
        int outFeatures = weight.ShapeArray[0], inFeatures = weight.ShapeArray[1];
        int rows = inFeatures == 0 ? 0 : x.Count / inFeatures;
        // W is [out, in]; Wᵀ as the right operand has element (p, j) = W[j, p]: row stride 1, column stride in.
        // The bias is added in the GEMM's store, not by a pass of its own over y.
        Gemm(rows, outFeatures, inFeatures, 1f, S(x), inFeatures, 1, weight.Data.AsSpan(weight.Offset), weight.StrideArray[1], weight.StrideArray[0], 0f, S(y), outFeatures,
            S(bias, optional: true));
    }

    public override IntTensor AllocateIndices(int[] shape) => IntTensor.Zeros(shape);

    public override void GatherRows(Tensor x, int outer, int n, int inner, IntTensor index, Tensor y)
    {
        int m = index.Count;
        Span<float> xs = S(x), ys = S(y);
        for (int o = 0; o < outer; o++) GatherRows(xs.Slice(o * n * inner, n * inner), index.Span, ys.Slice(o * m * inner, m * inner), inner);
    }

    public override void ScatterAddRows(Tensor dst, int outer, int n, int inner, IntTensor index, Tensor src)
    {
        int m = index.Count;
        Span<float> ds = S(dst), ss = S(src);
        for (int o = 0; o < outer; o++) ScatterAddRows(ds.Slice(o * n * inner, n * inner), index.Span, ss.Slice(o * m * inner, m * inner), inner);
    }

    public override void GatherAxis(Tensor x, int outer, int n, int inner, IntTensor index, int m, Tensor y) => GatherAxis(S(x), outer, n, inner, index.Span, m, S(y));

    public override void ScatterAddAxis(Tensor dst, int outer, int n, int inner, IntTensor index, int m, Tensor src) => ScatterAddAxis(S(dst), outer, n, inner, index.Span, m, S(src));

    public override void TopK(Tensor x, int rows, int n, int k, bool largest, Tensor values, IntTensor indices) => TopK(S(x), rows, n, k, largest, S(values), indices.Span);

    public override void CrossEntropy(Tensor logits, IntTensor targets, int rows, int classes, int ignoreIndex, float smoothing, Tensor logProbabilities, Tensor lossSum) =>
        S(lossSum)[0] = (float)CrossEntropy(S(logits), targets.Span, rows, classes, ignoreIndex, smoothing, S(logProbabilities)).Sum;

    public override void CrossEntropyBackward(Tensor logProbabilities, IntTensor targets, int rows, int classes, int ignoreIndex, float smoothing, Tensor scale, Tensor dLogits) =>
        CrossEntropyBackward(S(logProbabilities), targets.Span, rows, classes, ignoreIndex, smoothing, S(scale)[0], S(dLogits));

    public override void AdamUpdate(Tensor parameter, Tensor gradient, Tensor firstMoment, Tensor secondMoment, in AdamStep step) =>
        AdamUpdate(S(parameter), S(gradient), S(firstMoment), S(secondMoment), step);

    public override void SumOfSquares(Tensor x, Tensor result) => S(result)[0] = (float)SumOfSquares(S(x));

    // ---------------------------------------------------------------- batched products

    /// <summary>
    /// One GEMM per index of the broadcast batch shape. Many small products (attention: one per batch item and head)
    /// are spread over the compute threads, one product per thread at a time; a single product parallelises inside the GEMM.
    /// </summary>
    public override void MatMul(Tensor a, Tensor b, Tensor y, bool accumulate)
    {
        int batchRank = y.Rank - 2;
        if (batchRank > IterationPlan.MaxRank)
            throw new ShapeMismatchException($"MatMul: {batchRank} batch dimensions; at most {IterationPlan.MaxRank} are supported. Reshape the batch dimensions into one.");
        var job = new BatchedProduct
        {
            A = a, B = b, Y = y, Accumulate = accumulate, Rank = batchRank,
            M = a.ShapeArray[^2], K = a.ShapeArray[^1], N = b.ShapeArray[^1],
        };
        int batches = 1;
        for (int d = 0; d < batchRank; d++)
        {
            job.Sizes[d] = y.ShapeArray[d];
            batches *= y.ShapeArray[d];
            job.StrideA[d] = BatchStride(a, d, batchRank);
            job.StrideB[d] = BatchStride(b, d, batchRank);
        }
        long multiplyAdds = (long)job.M * job.N * job.K;
        var handle = GCHandle.Alloc(job);
        try
        {
            void* state = (void*)GCHandle.ToIntPtr(handle);
            if (batches > 1) ComputeThreads.For(batches, (int)Math.Max(1, (1L << 18) / Math.Max(1, multiplyAdds)), state, &BatchedProduct.Run);
            else BatchedProduct.Run(state, 0, batches);
        }
        finally
        {
            handle.Free();
        }
    }

    /// <summary>Stride of batch dimension <paramref name="d"/> (of <paramref name="batchRank"/>) in <paramref name="t"/>; 0 when broadcast.</summary>
    private static int BatchStride(Tensor t, int d, int batchRank)
    {
        int td = d - (batchRank - (t.Rank - 2));
        return td < 0 || t.ShapeArray[td] == 1 ? 0 : t.StrideArray[td];
    }

    /// <summary>The products of <see cref="MatMul(Tensor, Tensor, Tensor, bool)"/> as a job the compute threads share.</summary>
    private sealed class BatchedProduct
    {
        public required Tensor A, B, Y;
        public bool Accumulate;
        public int Rank, M, K, N;
        public InlineDims Sizes, StrideA, StrideB;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Run(void* state, int start, int end)
        {
            var job = (BatchedProduct)GCHandle.FromIntPtr((nint)state).Target!;
            Tensor a = job.A, b = job.B, y = job.Y;
            int m = job.M, n = job.N, k = job.K;
            for (int t = start; t < end; t++)
            {
                int rem = t, offA = a.Offset, offB = b.Offset;
                for (int d = job.Rank - 1; d >= 0; d--)
                {
                    int i = rem % job.Sizes[d];
                    rem /= job.Sizes[d];
                    offA += job.StrideA[d] * i;
                    offB += job.StrideB[d] * i;
                }
                Gemm(m, n, k, 1f, a.Data.AsSpan(offA), a.StrideArray[^2], a.StrideArray[^1], b.Data.AsSpan(offB), b.StrideArray[^2], b.StrideArray[^1],
                    job.Accumulate ? 1f : 0f, y.Data.AsSpan(y.Offset + t * m * n, m * n), n);
            }
        }
    }
}
