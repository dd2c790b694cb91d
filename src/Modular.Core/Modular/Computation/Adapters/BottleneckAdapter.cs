using Modular.NN;
using Modular.Tensors;

namespace Modular.Computation;

/// <summary>
/// Sequential bottleneck adapter (Houlsby et al., 2019; Pfeiffer et al., 2021), function composition:
/// h ← h + Up(act(Down(h))) on a sub-layer's output, before the residual connection and layer norm.
/// </summary>
public sealed class BottleneckAdapter : ModuleSpec
{
    /// <summary>Creates the recipe: bottleneck size = d / <paramref name="reduction"/>.</summary>
    public BottleneckAdapter(int reduction = 16, AdapterPlacement placement = AdapterPlacement.Pfeiffer, ActivationKind activation = ActivationKind.Relu, bool layerNorm = false)
    {
        if (reduction < 1) throw new ConfigurationException($"BottleneckAdapter: reduction factor must be ≥ 1, got {reduction}.");
        Reduction = reduction;
        Placement = placement;
        Activation = activation;
        LayerNorm = layerNorm;
    }

    /// <summary>d / bottleneck size.</summary>
    public int Reduction { get; }

    /// <summary>Where the adapters go by default.</summary>
    public AdapterPlacement Placement { get; }

    /// <summary>Bottleneck non-linearity.</summary>
    public ActivationKind Activation { get; }

    /// <summary>Whether each adapter normalises its input first.</summary>
    public bool LayerNorm { get; }

    /// <inheritdoc/>
    public override string Method => $"Bottleneck adapter ({Placement})";

    /// <inheritdoc/>
    public override string DefaultTargets => Placement == AdapterPlacement.Pfeiffer ? "layers.*.feedForward" : "layers.*.attention|feedForward";

    /// <inheritdoc/>
    public override string? RejectHost(Module host) => Bottleneck.OutputWidth(host) is null ? $"an adapter follows a layer that tells its output width ({nameof(IHostLayer)}: a feed-forward or attention block, a linear layer, …); this is a {host?.GetType().Name}" : null;

    /// <inheritdoc/>
    public override ComputationModule Create(Module host, string hostPath, Rng rng)
    {
        int d = Bottleneck.OutputWidth(host)!.Value;
        return new SequentialAdapterModule(new Bottleneck(d, d / Reduction, Activation, LayerNorm, rng));
    }
}

/// <summary>One sequential adapter: h + bottleneck(h) on the host's output.</summary>
public sealed class SequentialAdapterModule : ComputationModule
{
    /// <summary>Wraps a bottleneck.</summary>
    public SequentialAdapterModule(Bottleneck bottleneck) => Bottleneck = Add("adapter", bottleneck);

    /// <summary>The bottleneck network.</summary>
    public Bottleneck Bottleneck { get; }

    /// <inheritdoc/>
    public override CompositionKind Composition => CompositionKind.Function;

    /// <inheritdoc/>
    public override string Description => Bottleneck.Description;

    /// <inheritdoc/>
    public override Tensor Apply(Tensor input, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return output.Add(Bottleneck.Forward(output));
    }
}
