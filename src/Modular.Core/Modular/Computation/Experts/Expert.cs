using Modular.NN;
using Modular.Tensors;

namespace Modular.Computation;

/// <summary>
/// An expert of a mixture of experts (Shazeer et al., 2017; GShard; Switch): a feed-forward network
/// Linear → activation → Linear of its own that adds FFN(x) of the host's input x to the host's output. Attached with
/// several others at a <see cref="ZeroLayer"/> and routed to by a top-k <see cref="Aggregation.Mixture"/>, the experts
/// are the whole feed-forward block: y = Σᵢ gᵢ·FFNᵢ(x) over the chosen experts.
/// </summary>
public sealed class Expert : ModuleSpec
{
    /// <summary>Experts with <paramref name="hidden"/> hidden units and the given activation.</summary>
    public Expert(int hidden, ActivationKind activation = ActivationKind.Gelu)
    {
        if (hidden < 1) throw new ConfigurationException($"Expert: hidden width must be ≥ 1, got {hidden}.");
        Hidden = hidden;
        Activation = activation;
    }

    /// <summary>Hidden width of each expert.</summary>
    public int Hidden { get; }

    /// <summary>The hidden non-linearity.</summary>
    public ActivationKind Activation { get; }

    /// <inheritdoc/>
    public override string Method => "Expert FFN";

    /// <inheritdoc/>
    public override string DefaultTargets => "layers.*.feedForward";

    /// <inheritdoc/>
    public override string? RejectHost(Module host) => host is IHostLayer { InputWidth: { } i, OutputWidth: { } o } && i == o ? null
        : $"an expert reads the host's input and adds to its output, so it needs a layer that tells equal input and output widths ({nameof(IHostLayer)}); this is a {host?.GetType().Name}";

    /// <inheritdoc/>
    public override ComputationModule Create(Module host, string hostPath, Rng rng) =>
        new ExpertModule(new FeedForward(((IHostLayer)host).OutputWidth!.Value, Hidden, rng, Activation));
}

/// <summary>One expert at one site: y + FFN(x).</summary>
public sealed class ExpertModule : ComputationModule
{
    /// <summary>Wraps the expert's network.</summary>
    public ExpertModule(FeedForward network) => Network = Add("network", network);

    /// <summary>Linear → activation → Linear.</summary>
    public FeedForward Network { get; }

    /// <inheritdoc/>
    public override CompositionKind Composition => CompositionKind.Function;

    /// <inheritdoc/>
    public override string Description => Network.Description;

    /// <inheritdoc/>
    public override Tensor Apply(Tensor input, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return output.Add(Network.Forward(input));
    }
}
