using Modular.NN;
using Modular.Reports;
using Modular.Routing;
using Modular.Tensors;

namespace Modular;

/// <summary>
/// A mixture-of-experts feed-forward layer (Shazeer et al., 2017; GShard; Switch): a top-k router per token and
/// expert feed-forward networks; tokens are gathered per expert, each expert runs once on its tokens, and the
/// gate-weighted outputs are scattered back. Tokens dropped for capacity get zero output (in a Transformer layer the
/// residual carries them through). Replaces the feed-forward block of a Transformer layer.
/// </summary>
public sealed class MixtureOfExperts : Layer
{
    /// <summary>Creates <paramref name="experts"/> experts of width <paramref name="hidden"/> behind a top-<paramref name="topK"/> router.</summary>
    public MixtureOfExperts(int dimension, int hidden, int experts, int topK, Rng rng, float capacityFactor = 0f, float balanceWeight = 0.01f, float zLossWeight = 0.001f, bool noisy = false, ActivationKind activation = ActivationKind.Gelu)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Router = Add("router", new TopKRouter(dimension, experts, topK, rng, capacityFactor, noisy, balanceWeight, zLossWeight));
        Experts = Add("experts", new ModuleList<FeedForward>(Enumerable.Range(0, experts).Select(_ => new FeedForward(dimension, hidden, rng, activation))));
    }

    /// <summary>The router.</summary>
    public TopKRouter Router { get; }

    /// <summary>The experts.</summary>
    public ModuleList<FeedForward> Experts { get; }

    /// <summary>Where decisions are recorded (null = not recorded), and under which site name.</summary>
    public (RoutingTrace Trace, string Site)? Recording { get; set; }

    /// <inheritdoc/>
    public override string Description => $"{Experts.Count} experts, {Router.Description}";

    /// <inheritdoc/>
    protected override Tensor Compute(Tensor input)
    {
        int d = input.Size(-1);
        var tokens = input.Reshape(-1, d);
        var decision = Router.Route(tokens);
        if (Recording is { } r)
        {
            int length = input.Rank == 3 ? input.Size(1) : 1;
            Routing.Router.Record(r.Trace, r.Site, Enumerable.Range(0, Experts.Count).Select(i => $"expert {i}").ToList(), decision,
                Enumerable.Range(0, tokens.Size(0)).Select(t => t / length).ToArray());
        }
        var outputs = new List<(IntTensor, Tensor)>();
        foreach (var (expert, rows) in Dispatch.Groups(decision))
        {
            var y = Experts[expert].Forward(tokens.IndexSelect(0, rows));
            outputs.Add((rows, y.Mul(Dispatch.Gate(decision, rows, expert))));
        }
        return Dispatch.AddRows(Tensor.Zeros(tokens.Size(0), d), outputs).Reshape(input.Shape.ToArray());
    }
}
