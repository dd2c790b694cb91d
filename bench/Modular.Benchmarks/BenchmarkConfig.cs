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
}
