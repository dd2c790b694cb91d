using Modular.NN;
using Modular.Tensors;

namespace Modular.Computation;

/// <summary>
/// Parallel adapter (He et al., 2022), function composition: the bottleneck reads the sub-layer's input and its
/// scaled output is added to the sub-layer's output: y ← y + s·Up(act(Down(x))).
/// </summary>
public sealed class ParallelAdapter : ModuleSpec
{
    /// <summary>Creates the recipe: bottleneck size = d / <paramref name="reduction"/>, output scaled by <paramref name="scaling"/>.</summary>
    public ParallelAdapter(int reduction = 16, float scaling = 1f, ActivationKind activation = ActivationKind.Relu)
    {
        if (reduction < 1) throw new ConfigurationException($"ParallelAdapter: reduction factor must be ≥ 1, got {reduction}.");
        Reduction = reduction;
        Scaling = scaling;
        Activation = activation;
    }

    /// <summary>d / bottleneck size.</summary>
    public int Reduction { get; }

    /// <summary>s.</summary>
    public float Scaling { get; }

    /// <summary>Bottleneck non-linearity.</summary>
    public ActivationKind Activation { get; }

    /// <inheritdoc/>
    public override string Method => "Parallel adapter";

    /// <inheritdoc/>
    public override string DefaultTargets => "layers.*.feedForward";

    /// <inheritdoc/>
    public override string? RejectHost(Module host) => host is IHostLayer { InputWidth: { } i, OutputWidth: { } o } && i == o ? null
        : $"a parallel adapter reads the sub-layer's input and adds to its output, so it needs a layer that tells equal input and output widths ({nameof(IHostLayer)}: a feed-forward or attention block, a square linear layer, …); this is a {host?.GetType().Name}";

    /// <inheritdoc/>
    public override ComputationModule Create(Module host, string hostPath, Rng rng)
    {
        int d = Bottleneck.OutputWidth(host)!.Value;
        return new ParallelAdapterModule(new Bottleneck(d, d / Reduction, Activation, layerNorm: false, rng), Scaling);
    }
}

/// <summary>One parallel adapter: y + s·bottleneck(x).</summary>
public sealed class ParallelAdapterModule : ComputationModule
{
    /// <summary>Wraps a bottleneck with an output scale.</summary>
    public ParallelAdapterModule(Bottleneck bottleneck, float scaling)
    {
        Bottleneck = Add("adapter", bottleneck);
        Scaling = scaling;
    }

    /// <summary>The bottleneck network.</summary>
    public Bottleneck Bottleneck { get; }

    /// <summary>s.</summary>
    public float Scaling { get; }

    /// <inheritdoc/>
    public override CompositionKind Composition => CompositionKind.Function;

    /// <inheritdoc/>
    public override string Description => $"{Bottleneck.Description}, scale {Scaling:G3}";

    /// <inheritdoc/>
    public override Tensor Apply(Tensor input, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var delta = Bottleneck.Forward(input);
        return output.Add(Scaling == 1f ? delta : delta.Mul(Scaling));
    }
}
