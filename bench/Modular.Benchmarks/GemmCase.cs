using System.Text.Json.Nodes;
using Modular.Tensors;

namespace Modular.Benchmarks;

/// <summary>The anchor's <c>gemm</c> case: C = A·B for row-major A [M, K] and B [K, N], square sizes and the model's Linear shapes.</summary>
internal sealed class GemmCase : IBenchmarkCase
{
    public string Name => "gemm";

    public void Run(int threads, TimingProtocol protocol, Action<JsonObject> report)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(report);
        var shapes = BenchmarkConfig.GemmSizes.Select(n => (M: n, K: n, N: n)).Concat(BenchmarkConfig.GemmModelShapes);
        foreach (var (m, k, n) in shapes)
        {
            var rng = new Rng(BenchmarkConfig.Seed);
            using var a = Tensor.Randn(rng, m, k);
            using var b = Tensor.Randn(rng, k, n);
            var result = protocol.Measure(() =>
            {
                using var c = a.MatMul(b); // the product's buffer returns to the pool, as torch.mm(out=c) reuses c
            });
            report(result.WithDisturbance(new JsonObject
            {
                ["case"] = Name,
                ["M"] = m,
                ["K"] = k,
                ["N"] = n,
                ["threads"] = threads,
                ["calls_per_repeat"] = result.CallsPerRepeat,
                ["gflops"] = result.Rate(2.0 * m * k * n / 1e9),
                ["ms_median"] = Math.Round(1e3 * result.MedianSeconds, 3),
            }));
        }
    }
}
