using Modular.NN;
using Modular.Tensors;

namespace Modular.Computation;

/// <summary>
/// BitFit (Ben Zaken et al., 2022), parameter composition: only the bias terms change. Here each target layer gets a
/// trained bias delta δ (initially zero) added to its output, so the base stays untouched and several BitFit modules
/// can coexist; merging adds δ to the layer's bias.
/// </summary>
public sealed class BitFit : ModuleSpec
{
    /// <inheritdoc/>
    public override string Method => "BitFit";

    /// <inheritdoc/>
    public override string DefaultTargets => "layers.*.attention.query|key|value|output, layers.*.feedForward.up|down, layers.*.attentionNorm|outputNorm";

    /// <inheritdoc/>
    public override string? RejectHost(Module host) => host is IBiasedLayer { Bias: not null, OutputWidth: not null } ? null
        : $"BitFit trains the biases of layers that have one ({nameof(IBiasedLayer)}: Linear and LayerNorm layers built with a bias); this is a {host?.GetType().Name}";

    /// <inheritdoc/>
    public override ComputationModule Create(Module host, string hostPath, Rng rng) => new BiasDeltaModule(((IBiasedLayer)host).OutputWidth!.Value);
}

/// <summary>A bias delta: y + δ.</summary>
public sealed class BiasDeltaModule : ComputationModule
{
    /// <summary>Creates δ = 0 of the given width.</summary>
    public BiasDeltaModule(int width)
    {
        using var zeros = Tensor.Zeros(width);
        Delta = AddParameter("delta", zeros);
    }

    /// <summary>δ.</summary>
    public Parameter Delta { get; }

    /// <inheritdoc/>
    public override CompositionKind Composition => CompositionKind.Parameter;

    /// <inheritdoc/>
    public override string Description => $"{Delta.Count} biases";

    /// <inheritdoc/>
    public override Tensor Apply(Tensor input, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return output.Add(Delta);
    }

    /// <inheritdoc/>
    public override bool CanMerge => true;

    /// <inheritdoc/>
    public override void MergeInto(Site site, float sign)
    {
        ArgumentNullException.ThrowIfNull(site);
        var bias = ((IBiasedLayer)site.Host).Bias!;
        using var scaled = Delta.Mul(sign);
        using var merged = bias.Add(scaled);
        bias.Assign(merged);
    }
}
