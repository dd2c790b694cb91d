using Modular.NN;
using Modular.Tensors;

namespace Modular.Computation;

/// <summary>
/// (IA)³ (Liu et al., 2022): learned vectors l_k, l_v, l_ff, initialised to ones, rescale the keys, the values and
/// the feed-forward hidden activations element-wise. Parameter composition in effect: each vector folds into the
/// adjacent weight matrix when merged.
/// </summary>
public sealed class IA3 : ModuleSpec
{
    /// <inheritdoc/>
    public override string Method => "(IA)³";

    /// <inheritdoc/>
    public override string DefaultTargets => "layers.*.attention.key|value, layers.*.feedForward.activation";

    /// <inheritdoc/>
    public override string? RejectHost(Module host) => (host as IHostLayer)?.OutputWidth is null
        ? $"(IA)³ rescales the output of a layer that tells its output width ({nameof(IHostLayer)}: a linear layer, a sized activation, …); this is a {host?.GetType().Name}"
        : null;

    /// <inheritdoc/>
    public override ComputationModule Create(Module host, string hostPath, Rng rng) => new RescaleModule(((IHostLayer)host).OutputWidth!.Value);
}

/// <summary>An (IA)³ vector: y ⊙ l over the last dimension.</summary>
public sealed class RescaleModule : ComputationModule
{
    /// <summary>Creates l = 1 of the given width.</summary>
    public RescaleModule(int width)
    {
        using var ones = Tensor.Ones(width);
        Scale = AddParameter("scale", ones);
    }

    /// <summary>l.</summary>
    public Parameter Scale { get; }

    /// <inheritdoc/>
    public override CompositionKind Composition => CompositionKind.Function;

    /// <inheritdoc/>
    public override string Description => $"{Scale.Count} scales";

    /// <inheritdoc/>
    public override Tensor Apply(Tensor input, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return output.Mul(Scale);
    }

    /// <inheritdoc/>
    public override bool CanMerge => true;

    /// <summary>
    /// On a linear host: W ← diag(l)·W, b ← l ⊙ b. On the hidden activation of a block that says which linear layer
    /// reads it (<see cref="IHiddenActivationBlock"/>, e.g. a feed-forward block): the scaling moves into that layer's
    /// columns, W_down ← W_down·diag(l). Unmerging divides by l.
    /// </summary>
    public override void MergeInto(Site site, float sign)
    {
        ArgumentNullException.ThrowIfNull(site);
        if (sign < 0 && Scale.ToArray().Contains(0f))
            throw new ConfigurationException($"(IA)³ at '{site.HostPath}' cannot be unmerged: its scale has zero entries, so the merge erased the rows (or columns) they multiplied. Reload the base weights instead.");
        using var factor = sign > 0 ? Scale.Detach() : Scale.Pow(-1f);
        if (site.Host is Linear linear)
        {
            using var scaledW = linear.Weight.Mul(factor.Unsqueeze(1));
            linear.Weight.Assign(scaledW);
            if (linear.Bias is not null)
            {
                using var scaledB = linear.Bias.Mul(factor);
                linear.Bias.Assign(scaledB);
            }
            return;
        }
        var reader = (site.Host.Parent as IHiddenActivationBlock is { } block && ReferenceEquals(block.HiddenActivation, site.Host) ? block.HiddenReader : null)
            ?? throw new ConfigurationException($"(IA)³ at '{site.HostPath}' cannot be merged: a {site.Host.GetType().Name} has no weights, and its parent does not say which linear layer reads it ({nameof(IHiddenActivationBlock)}).");
        using var scaledDown = reader.Weight.Mul(factor.Unsqueeze(0));
        reader.Weight.Assign(scaledDown);
    }
}
