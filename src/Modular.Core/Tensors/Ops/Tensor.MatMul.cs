using Modular.Tensors.Kernels;
using static Modular.Tensors.Autograd.Autograd;

namespace Modular.Tensors;

// Matrix products: MatMul (2-D, batched with broadcast batch dimensions, vectors) and Linear.
public partial class Tensor
{
    /// <summary>
    /// Matrix product with PyTorch's rules: [.., m, k] · [.., k, n] → [.., m, n] with batch dimensions
    /// broadcast; a 1-D left operand is a row vector and a 1-D right operand a column vector (the added
    /// dimension is removed again). Transposed views are multiplied without copying.
    /// </summary>
    public Tensor MatMul(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        CheckNotDisposed(this, "MatMul");
        CheckNotDisposed(other, "MatMul");
        if (Rank == 0 || other.Rank == 0) throw new ShapeMismatchException($"MatMul needs tensors of rank ≥ 1; got {Describe()} and {other.Describe()}.");
        if (Rank == 1 || other.Rank == 1) return MatMulWithVector(other);
        int m = shape[^2], k = shape[^1], n = other.shape[^1];
        if (other.shape[^2] != k)
            throw new ShapeMismatchException($"MatMul: inner dimensions differ: {Describe()} · {other.Describe()} ({k} vs {other.shape[^2]}). The left operand's last dimension must equal the right operand's second-to-last.");
        var batch = BroadcastShape(shape[..^2], other.shape[..^2], "MatMul (batch dimensions)", this, other);
        var y = Empty([.. batch, m, n]);
        BatchedGemm(this, other, y, batch, accumulate: false);
        if (NeedsGrad(this, other))
        {
            var a = this;
            var b = other;
            Record(y, "MatMul", g =>
            {
                if (a.RequiresGrad)
                {
                    var da = Empty([.. batch, m, k]);
                    BatchedGemm(g, b.Transpose(-1, -2), da, batch, accumulate: false); // dA = g · Bᵀ
                    Accumulate(a, SumToShape(da, a.shape));
                }
                if (b.RequiresGrad)
                {
                    var db = Empty([.. batch, k, n]);
                    BatchedGemm(a.Transpose(-1, -2), g, db, batch, accumulate: false); // dB = Aᵀ · g
                    Accumulate(b, SumToShape(db, b.shape));
                }
            }, a, b);
        }
        return y;
    }

    /// <summary>PyTorch's rules for 1-D operands: a row (left) or column (right) matrix for the product, whose added dimensions are then dropped.</summary>
    private Tensor MatMulWithVector(Tensor other)
    {
        var left = Rank == 1 ? Unsqueeze(0) : this;
        var right = other.Rank == 1 ? other.Unsqueeze(1) : other;
        var product = left.MatMul(right);
        var dims = product.shape.ToList();
        if (other.Rank == 1) dims.RemoveAt(dims.Count - 1);
        if (Rank == 1) dims.RemoveAt(dims.Count - (other.Rank == 1 ? 1 : 2));
        var result = product.Reshape([.. dims]);
        DisposeTemporaries(result, product);
        if (Rank == 1) DisposeTemporaries(result, left);
        if (other.Rank == 1) DisposeTemporaries(result, right);
        return result;
    }

    /// <summary>
    /// y[batch] = a[batch] · b[batch] for every index of the broadcast batch shape; y contiguous. Many small products
    /// (attention: one per batch item and head) are spread over the compute threads, one product per thread at a time;
    /// a single product parallelises inside the GEMM instead.
    /// </summary>
    private static unsafe void BatchedGemm(Tensor a, Tensor b, Tensor y, int[] batch, bool accumulate)
    {
        int batches = TensorShape.Product(batch);
        var job = new BatchedProduct
        {
            A = a, B = b, Y = y, Accumulate = accumulate, Rank = batch.Length,
            M = a.shape[^2], K = a.shape[^1], N = b.shape[^1],
        };
        for (int d = 0; d < batch.Length; d++)
        {
            job.Sizes[d] = batch[d];
            job.StrideA[d] = BatchStride(a, d, batch.Length);
            job.StrideB[d] = BatchStride(b, d, batch.Length);
        }
        if (batch.Length > Kernels.IterationPlan.MaxRank)
            throw new ShapeMismatchException($"MatMul: {batch.Length} batch dimensions; at most {Kernels.IterationPlan.MaxRank} are supported. Reshape the batch dimensions into one.");
        long multiplyAdds = (long)job.M * job.N * job.K;
        var handle = System.Runtime.InteropServices.GCHandle.Alloc(job);
        try
        {
            void* state = (void*)System.Runtime.InteropServices.GCHandle.ToIntPtr(handle);
            if (batches > 1) ComputeThreads.For(batches, (int)Math.Max(1, (1L << 18) / Math.Max(1, multiplyAdds)), state, &BatchedProduct.Run);
            else BatchedProduct.Run(state, 0, 1);
        }
        finally
        {
            handle.Free();
        }
    }

    /// <summary>The products of <see cref="BatchedGemm"/> as a job the compute threads share.</summary>
    private sealed class BatchedProduct
    {
        public required Tensor A, B, Y;
        public bool Accumulate;
        public int Rank, M, K, N;
        public Kernels.InlineDims Sizes, StrideA, StrideB;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public static unsafe void Run(void* state, int start, int end)
        {
            var job = (BatchedProduct)System.Runtime.InteropServices.GCHandle.FromIntPtr((nint)state).Target!;
            Tensor a = job.A, b = job.B, y = job.Y;
            int m = job.M, n = job.N, k = job.K;
            for (int t = start; t < end; t++)
            {
                int rem = t, offA = a.offset, offB = b.offset;
                for (int d = job.Rank - 1; d >= 0; d--)
                {
                    int i = rem % job.Sizes[d];
                    rem /= job.Sizes[d];
                    offA += job.StrideA[d] * i;
                    offB += job.StrideB[d] * i;
                }
                Backend.Current.Gemm(m, n, k, 1f, a.Data.AsSpan(offA), a.strides[^2], a.strides[^1], b.Data.AsSpan(offB), b.strides[^2], b.strides[^1],
                    job.Accumulate ? 1f : 0f, y.Data.AsSpan(y.offset + t * m * n, m * n), n);
            }
        }
    }

    /// <summary>Stride of batch dimension <paramref name="d"/> (of <paramref name="batchRank"/>) in <paramref name="t"/>; 0 when broadcast.</summary>
    private static int BatchStride(Tensor t, int d, int batchRank)
    {
        int td = d - (batchRank - (t.Rank - 2));
        return td < 0 || t.shape[td] == 1 ? 0 : t.strides[td];
    }

    /// <summary>
    /// The affine map of a linear layer: y = x·Wᵀ + b for x [.., in], <paramref name="weight"/> [out, in],
    /// <paramref name="bias"/> [out] (optional). One matrix product over all leading dimensions.
    /// </summary>
    public Tensor Linear(Tensor weight, Tensor? bias = null)
    {
        ArgumentNullException.ThrowIfNull(weight);
        CheckNotDisposed(this, "Linear");
        if (weight.Rank != 2) throw new ShapeMismatchException($"Linear: weight {weight.Describe()} must be 2-D [out, in].");
        int inFeatures = weight.shape[1], outFeatures = weight.shape[0];
        if (Rank == 0 || shape[^1] != inFeatures)
            throw new ShapeMismatchException($"Linear: input {Describe()} must end in {inFeatures} features to match weight {weight.Describe()} [out, in].");
        if (bias is not null && (bias.Rank != 1 || bias.shape[0] != outFeatures))
            throw new ShapeMismatchException($"Linear: bias {bias.Describe()} must be [{outFeatures}] to match weight {weight.Describe()}.");
        var x = Contiguous();
        int rows = inFeatures == 0 ? 0 : Count / inFeatures;
        var outShape = (int[])shape.Clone();
        outShape[^1] = outFeatures;
        var y = Empty(outShape);
        var backend = Backend.Current;
        var biasValues = bias is null || bias.IsContiguous ? bias : bias.ContiguousCopy();
        // W is [out, in]; Wᵀ as the right operand has element (p, j) = W[j, p]: row stride 1, column stride in.
        // The bias is added in the GEMM's store, not by a pass of its own over y.
        backend.Gemm(rows, outFeatures, inFeatures, 1f, x.Data.AsSpan(x.offset), inFeatures, 1,
            weight.Data.AsSpan(weight.offset), weight.strides[1], weight.strides[0], 0f, y.Span, outFeatures, biasValues is null ? default : biasValues.Span);
        if (biasValues is not null && !ReferenceEquals(biasValues, bias)) biasValues.Dispose(); // a strided bias's copy
        var inputs = bias is null ? new[] { this, weight } : [this, weight, bias];
        if (NeedsGrad(inputs))
        {
            var input = this;
            Record(y, "Linear", g =>
            {
                var gc = g.Contiguous();
                if (input.RequiresGrad)
                {
                    var dx = Empty(input.shape);
                    // dX = g · W: [rows, out] · [out, in]
                    backend.Gemm(rows, inFeatures, outFeatures, 1f, gc.Span, outFeatures, 1, weight.Data.AsSpan(weight.offset), weight.strides[0], weight.strides[1], 0f, dx.Span, inFeatures);
                    Accumulate(input, dx);
                }
                if (weight.RequiresGrad)
                {
                    var dw = Empty([outFeatures, inFeatures]);
                    // dW = gᵀ · X: [out, rows] · [rows, in]
                    backend.Gemm(outFeatures, inFeatures, rows, 1f, gc.Span, 1, outFeatures, x.Span, inFeatures, 1, 0f, dw.Span, inFeatures);
                    Accumulate(weight, dw);
                }
                if (bias is { RequiresGrad: true })
                {
                    var db = Empty([outFeatures]);
                    backend.SumAxis(gc.Span, 1, rows, outFeatures, db.Span);
                    Accumulate(bias, db);
                }
            }, inputs);
        }
        return y;
    }
}
