using Modular.NN;
using Modular.Tensors;

namespace Modular.Computation;

/// <summary>
/// Prefix tuning (Li &amp; Liang, 2021), input composition: learned key and value vectors prepended in every attention
/// layer (attached to the key and value projections' outputs). With <see cref="ReparameterizationSize"/>, the
/// prefixes of all layers are produced by one MLP from a small learned matrix, which stabilises training.
/// </summary>
public sealed class PrefixTuning : IModuleSpec
{
    /// <summary>Creates the recipe with <paramref name="tokens"/> prefix positions; <paramref name="reparameterizationSize"/> &gt; 0 enables the MLP.</summary>
    public PrefixTuning(int tokens = 10, int reparameterizationSize = 0)
    {
        if (tokens < 1) throw new ConfigurationException($"PrefixTuning: tokens must be ≥ 1, got {tokens}.");
        if (reparameterizationSize < 0) throw new ConfigurationException($"PrefixTuning: reparameterisation size must be ≥ 0, got {reparameterizationSize}.");
        Tokens = tokens;
        ReparameterizationSize = reparameterizationSize;
    }

    /// <summary>Prefix length n.</summary>
    public int Tokens { get; }

    /// <summary>Hidden size of the reparameterisation MLP; 0 = prefixes are learned directly.</summary>
    public int ReparameterizationSize { get; }

    /// <inheritdoc/>
    public string Method => ReparameterizationSize > 0 ? "Prefix tuning (MLP)" : "Prefix tuning";

    /// <inheritdoc/>
    public string DefaultTargets => "layers.*.attention.key|value";

    /// <inheritdoc/>
    public string? RejectHost(Module host) => host is IHostLayer { OutputWidth: not null } && host.Parent is IPrefixableAttention attention && attention.IsKeyOrValueProjection(host) ? null
        : $"prefix tuning prepends to the key and value projections of an attention layer that accepts extra keys and values ({nameof(IPrefixableAttention)}); this is a {host?.GetType().Name}{(host?.Parent is { } p ? $" inside a {p.GetType().Name}" : "")}";

    /// <inheritdoc/>
    public IReadOnlyList<ComputationModule> CreateModules(IReadOnlyList<(string Path, Module Host)> hosts, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        ArgumentNullException.ThrowIfNull(rng);
        var widths = hosts.Select(h => ((IHostLayer)h.Host).OutputWidth!.Value).ToArray();
        if (ReparameterizationSize == 0)
            return widths.Select(d =>
            {
                using var initial = Tensor.Normal(rng, 0f, 1f, Tokens, d);
                return (ComputationModule)new PrefixModule(initial);
            }).ToList();
        var generator = new PrefixGenerator(Tokens, widths, ReparameterizationSize, rng);
        return widths.Select((_, i) => (ComputationModule)new PrefixModule(generator, i)).ToList();
    }
}

/// <summary>
/// The reparameterisation of prefix tuning: P′ [n, d₀] → Linear → tanh → Linear → [n, Σ sites' widths], split into
/// one prefix per site. Shared by all the prefix modules of one attachment.
/// </summary>
public sealed class PrefixGenerator : Module
{
    private readonly int[] offsets;

    /// <summary>Creates the small matrix and the MLP for the given sites' widths.</summary>
    public PrefixGenerator(int tokens, IReadOnlyList<int> widths, int hidden, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(widths);
        Widths = widths;
        offsets = new int[widths.Count];
        for (int i = 1; i < widths.Count; i++) offsets[i] = offsets[i - 1] + widths[i - 1];
        using var seed = Tensor.Normal(rng, 0f, 1f, tokens, hidden);
        Seed = AddParameter("seed", seed);
        Hidden = Add("hidden", new Linear(hidden, hidden, rng));
        Output = Add("output", new Linear(hidden, widths.Sum(), rng));
    }

    /// <summary>P′ [n, hidden].</summary>
    public Parameter Seed { get; }

    /// <summary>First MLP layer.</summary>
    public Linear Hidden { get; }

    /// <summary>Second MLP layer, to every site's prefix at once.</summary>
    public Linear Output { get; }

    /// <summary>Width of each site's prefix.</summary>
    public IReadOnlyList<int> Widths { get; }

    /// <summary>The prefix of site <paramref name="index"/>, [n, width].</summary>
    public Tensor Prefix(int index) => Output.Forward(Hidden.Forward(Seed).Tanh()).Narrow(1, offsets[index], Widths[index]);
}

/// <summary>The key or value prefix of one attention layer.</summary>
public sealed class PrefixModule : PrependModule
{
    private readonly PrefixGenerator? generator;
    private readonly int index;

    /// <summary>A prefix learned directly, starting from a copy of <paramref name="initial"/> [n, d].</summary>
    public PrefixModule(Tensor initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        Direct = AddParameter("prefix", initial);
        Length = initial.Size(0);
    }

    /// <summary>A prefix produced by the shared generator.</summary>
    public PrefixModule(PrefixGenerator generator, int index)
    {
        ArgumentNullException.ThrowIfNull(generator);
        this.generator = Add("generator", generator);
        this.index = index;
        Length = generator.Seed.Size(0);
    }

    /// <summary>The directly learned prefix, or null when generated.</summary>
    public Parameter? Direct { get; }

    /// <inheritdoc/>
    public override int Length { get; }

    /// <inheritdoc/>
    public override string Description => $"{Length} positions";

    /// <inheritdoc/>
    protected override Tensor Vectors() => Direct ?? generator!.Prefix(index);
}
