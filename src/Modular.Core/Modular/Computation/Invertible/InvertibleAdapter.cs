using Modular.NN;
using Modular.Tensors;

namespace Modular.Computation;

/// <summary>
/// MAD-X's invertible adapter (Pfeiffer et al., 2020): a NICE-style additive coupling on the token embeddings,
/// y₁ = x₁ + F(x₂), y₂ = x₂ + G(y₁) over the two halves of each vector, and its exact inverse
/// x₂ = y₂ − G(y₁), x₁ = y₁ − F(x₂) before the masked-language-model decoder, so input and output embeddings
/// stay tied through the same language-specific transformation.
/// </summary>
public sealed class InvertibleAdapter : IModuleSpec
{
    /// <summary>Creates the recipe; F and G are bottlenecks of size (d/2)/<paramref name="reduction"/>.</summary>
    public InvertibleAdapter(int reduction = 2)
    {
        if (reduction < 1) throw new ConfigurationException($"InvertibleAdapter: reduction must be ≥ 1, got {reduction}.");
        Reduction = reduction;
    }

    /// <summary>Half-width divided by the coupling networks' bottleneck size.</summary>
    public int Reduction { get; }

    /// <inheritdoc/>
    public string Method => "Invertible adapter";

    /// <inheritdoc/>
    public string DefaultTargets => "embeddings, mlmHead.preDecoder";

    /// <inheritdoc/>
    public string? RejectHost(Module host) => host switch
    {
        ISequenceInputLayer { OutputWidth: { } d } when d % 2 != 0 => $"the coupling splits vectors in halves; width {d} is odd",
        ISequenceInputLayer { OutputWidth: not null } or Identity => null,
        _ => $"the invertible adapter attaches to the layer that embeds the input ({nameof(ISequenceInputLayer)}; its inverse to an Identity before the decoder); this is a {host?.GetType().Name}",
    };

    /// <inheritdoc/>
    public IReadOnlyList<ComputationModule> CreateModules(IReadOnlyList<(string Path, Module Host)> hosts, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        var embeddings = hosts.Select(h => h.Host).OfType<ISequenceInputLayer>().ToList();
        if (embeddings.Count != 1) throw new ModulePathException($"InvertibleAdapter: the targets must contain exactly one layer that embeds the input ({nameof(ISequenceInputLayer)}); they contain {embeddings.Count}.");
        int half = embeddings[0].OutputWidth!.Value / 2;
        var coupling = new AdditiveCoupling(half, Math.Max(1, half / Reduction), rng);
        return hosts.Select(h => (ComputationModule)new CouplingModule(coupling, inverse: h.Host is Identity)).ToList();
    }
}

/// <summary>The two coupling networks F and G of an invertible adapter.</summary>
public sealed class AdditiveCoupling : Module
{
    /// <summary>Creates F and G as half → size → half bottlenecks (output layers zero: the adapter starts as the identity).</summary>
    public AdditiveCoupling(int half, int size, Rng rng)
    {
        Half = half;
        F = Add("f", new Bottleneck(half, size, ActivationKind.Relu, layerNorm: false, rng));
        G = Add("g", new Bottleneck(half, size, ActivationKind.Relu, layerNorm: false, rng));
    }

    /// <summary>Half the model dimension.</summary>
    public int Half { get; }

    /// <summary>F.</summary>
    public Bottleneck F { get; }

    /// <summary>G.</summary>
    public Bottleneck G { get; }

    /// <summary>[x₁ + F(x₂), x₂ + G(y₁)].</summary>
    public Tensor Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var x1 = x.Narrow(-1, 0, Half);
        var x2 = x.Narrow(-1, Half, Half);
        var y1 = x1.Add(F.Forward(x2));
        var y2 = x2.Add(G.Forward(y1));
        return Tensor.Cat([y1, y2], -1);
    }

    /// <summary>The exact inverse of <see cref="Forward"/>.</summary>
    public Tensor Inverse(Tensor y)
    {
        ArgumentNullException.ThrowIfNull(y);
        var y1 = y.Narrow(-1, 0, Half);
        var y2 = y.Narrow(-1, Half, Half);
        var x2 = y2.Sub(G.Forward(y1));
        var x1 = y1.Sub(F.Forward(x2));
        return Tensor.Cat([x1, x2], -1);
    }
}

/// <summary>The coupling at one site: forward on the embeddings, inverse before the decoder (same parameters).</summary>
public sealed class CouplingModule : ComputationModule
{
    /// <summary>Uses <paramref name="coupling"/> forwards, or backwards when <paramref name="inverse"/>.</summary>
    public CouplingModule(AdditiveCoupling coupling, bool inverse)
    {
        Coupling = Add("coupling", coupling);
        IsInverse = inverse;
    }

    /// <summary>The shared coupling networks.</summary>
    public AdditiveCoupling Coupling { get; }

    /// <summary>True for the inverse direction.</summary>
    public bool IsInverse { get; }

    /// <inheritdoc/>
    public override CompositionKind Composition => CompositionKind.Function;

    /// <inheritdoc/>
    public override string Description => IsInverse ? "inverse" : "forward";

    /// <inheritdoc/>
    public override Tensor Apply(Tensor input, Tensor output) => IsInverse ? Coupling.Inverse(output) : Coupling.Forward(output);
}
