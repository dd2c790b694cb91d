namespace Modular.Benchmarks;

/// <summary>
/// The shapes, seeds and timing settings pinned in <c>CFG</c> of the PyTorch anchor (shared/bench/torch_ref.py).
/// Keep them identical: a ratio to the anchor only means something for the same work.
/// </summary>
internal static class BenchmarkConfig
{
    public const int Seed = 0;

    /// <summary>Square GEMM sizes n: C[n, n] = A[n, n] · B[n, n].</summary>
    public static readonly int[] GemmSizes = [128, 256, 512, 1024, 2048];

    /// <summary>The model's Linear shapes as (M = tokens, K = in, N = out).</summary>
    public static readonly (int M, int K, int N)[] GemmModelShapes = [(2048, 256, 256), (2048, 256, 1024), (2048, 1024, 256)];

    // ---- the Transformer encoder classifier (lora, full, adapter cases)
    public const int Vocabulary = 1000, Dimension = 256, Layers = 4, Heads = 4, FeedForwardWidth = 1024, SequenceLength = 64, Batch = 32, Classes = 2;
    public const int LoraRank = 8, LoraAlpha = 16, AdapterReduction = 16;

    // ---- the mixture-of-experts layer (moe case)
    public const int MoeExperts = 8, MoeTopK = 2, MoeDimension = 256, MoeFeedForward = 1024, MoeTokens = 2048;

    /// <summary>Analytic FLOPs (2·multiply-adds) of the matmuls in one forward pass of the base model, as the anchor's model_fwd_matmul_flop.</summary>
    public static double ModelForwardFlops
    {
        get
        {
            double tokens = Batch * SequenceLength;
            double perLayer = 4 * 2 * tokens * Dimension * Dimension + 2 * 2.0 * Batch * SequenceLength * SequenceLength * Dimension + 2 * 2 * tokens * Dimension * FeedForwardWidth;
            return Layers * perLayer + 2.0 * Batch * Dimension * Classes;
        }
    }
}
