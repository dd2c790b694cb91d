using Modular.NN;
using Modular.Tensors;

namespace Modular.Computation;

/// <summary>
/// Prompt tuning (Lester et al., 2021), input composition: n learned embeddings prepended to the input
/// embeddings; attention and pooling treat them as tokens. Optionally initialised from vocabulary tokens'
/// embeddings.
/// </summary>
public sealed class PromptTuning : ModuleSpec
{
    /// <summary>Creates the recipe; <paramref name="initFromTokens"/> (token ids, cycled) copies their embeddings as the start.</summary>
    public PromptTuning(int tokens = 10, IReadOnlyList<int>? initFromTokens = null)
    {
        if (tokens < 1) throw new ConfigurationException($"PromptTuning: tokens must be ≥ 1, got {tokens}.");
        if (initFromTokens is { Count: 0 }) throw new ConfigurationException("PromptTuning: initFromTokens is empty; give at least one vocabulary id, or null to initialise the prompt at random.");
        Tokens = tokens;
        InitFromTokens = initFromTokens;
    }

    /// <summary>n.</summary>
    public int Tokens { get; }

    /// <summary>Vocabulary ids whose embeddings initialise the prompt, or null for N(0, 1).</summary>
    public IReadOnlyList<int>? InitFromTokens { get; }

    /// <inheritdoc/>
    public override string Method => "Prompt tuning";

    /// <inheritdoc/>
    public override string DefaultTargets => "embeddings";

    /// <inheritdoc/>
    public override string? RejectHost(Module host) => host is ISequenceInputLayer { OutputWidth: not null } ? null
        : $"prompt tuning prepends to the token vectors of the layer that embeds the input ({nameof(ISequenceInputLayer)}, e.g. TransformerEmbeddings); this is a {host?.GetType().Name}";

    /// <inheritdoc/>
    public override ComputationModule Create(Module host, string hostPath, Rng rng)
    {
        var embeddings = (ISequenceInputLayer)host;
        int d = embeddings.OutputWidth!.Value;
        if (InitFromTokens is null)
        {
            using var random = Tensor.Randn(rng, Tokens, d);
            return new PromptModule(random);
        }
        var ids = Enumerable.Range(0, Tokens).Select(i => InitFromTokens[i % InitFromTokens.Count]).ToArray();
        using (Tensors.Autograd.GradMode.NoGrad())
        {
            using var rows = embeddings.TokenVectors(IntTensor.FromArray(ids));
            return new PromptModule(rows);
        }
    }
}

/// <summary>A learned prompt: [n, d] vectors prepended to the embeddings.</summary>
public sealed class PromptModule : PrependModule
{
    /// <summary>Creates the prompt from initial vectors [n, d].</summary>
    public PromptModule(Tensor initial) => Prompt = AddParameter("prompt", initial);

    /// <summary>[n, d].</summary>
    public Parameter Prompt { get; }

    /// <inheritdoc/>
    public override int Length => Prompt.Size(0);

    /// <inheritdoc/>
    public override string Description => $"{Length} tokens";

    /// <inheritdoc/>
    protected override Tensor Vectors() => Prompt;
}
