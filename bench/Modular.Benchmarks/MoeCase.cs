using System.Text.Json.Nodes;
using Modular.Aggregation;
using Modular.Computation;
using Modular.NN;
using Modular.Routing;
using Modular.Tensors;
using static Modular.Benchmarks.BenchmarkConfig;

namespace Modular.Benchmarks;

/// <summary>
/// The anchor's <c>moe</c> case: one mixture-of-experts feed-forward layer (8 experts, top-2 softmax routing renormalised,
/// tokens gathered per expert, each expert Linear → GELU → Linear, outputs scaled by their gate and added back), forward
/// and backward of (out ⊙ G).sum() with a fixed random G.
/// </summary>
internal sealed class MoeCase(Device device) : IBenchmarkCase
{
    public string Name => "moe";

    public void Run(int threads, TimingProtocol protocol, Action<JsonObject> report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rng = new Rng(Seed);
        // the mixture of experts as a configuration of sites: experts at an empty feed-forward place, a top-k mixture over
        // them; no capacity limit and no auxiliary losses: the anchor's layer has neither
        var layer = new Sequential(new ZeroLayer(MoeDimension));
        var model = layer.WithModules(Seed);
        var experts = Enumerable.Range(0, MoeExperts).Select(e => $"expert{e}").ToList();
        foreach (var name in experts) model.Attach("0", new Expert(MoeFeedForward), name);
        model.Active = new Mixture(Routers.TopK(MoeTopK, balanceWeight: 0f, zLossWeight: 0f), experts);
        model.To(device);
        var x = Tensor.Randn(rng, MoeTokens, MoeDimension).To(device);
        x.RequiresGrad = true;
        var g = Tensor.Randn(rng, MoeTokens, MoeDimension).To(device);

        void Call()
        {
            using var scope = TensorScope.Begin();
            layer.Forward(x).Mul(g).Sum().Backward();
            layer.ZeroGrad();
            x.ZeroGrad();
        }

        double forward = (double)MoeTokens * MoeTopK * 2 * 2 * MoeDimension * MoeFeedForward;
        report(ModelStep.Measure("moe_fwd_bwd", threads, protocol, Call, "fwd_bwd_per_s", MoeTokens, 3 * forward, "ms_per_call_median"));
    }
}
