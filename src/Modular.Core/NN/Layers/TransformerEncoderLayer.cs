using Modular.Tensors;

namespace Modular.NN;

/// <summary>
/// A post-LN Transformer encoder layer, as in the anchor model:
/// x ← LN₁(x + Attention(x)); x ← LN₂(x + FeedForward(x)).
/// </summary>
public sealed class TransformerEncoderLayer : Layer, IHostLayer
{
    private readonly Dropout? dropout;

    /// <summary>Creates the attention and feed-forward sub-layers with their norms.</summary>
    public TransformerEncoderLayer(int dimension, int heads, int feedForward, Rng rng, float dropoutP = 0f, ActivationKind activation = ActivationKind.Gelu, float eps = 1e-5f)
        : this(dimension, heads, r => new FeedForward(dimension, feedForward, r, activation), rng, dropoutP, eps) { }

    /// <summary>
    /// Creates a layer whose position-wise block is made by <paramref name="feedForwardBlock"/> (e.g. a mixture of
    /// experts); it sits where the feed-forward block would, under the name <c>feedForward</c>.
    /// </summary>
    public TransformerEncoderLayer(int dimension, int heads, Func<Rng, Layer> feedForwardBlock, Rng rng, float dropoutP = 0f, float eps = 1e-5f)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(feedForwardBlock);
        Attention = Add("attention", new MultiHeadSelfAttention(dimension, heads, rng, dropoutP));
        AttentionNorm = Add("attentionNorm", new LayerNorm(dimension, eps));
        FeedForwardBlock = Add("feedForward", feedForwardBlock(rng));
        OutputNorm = Add("outputNorm", new LayerNorm(dimension, eps));
        if (dropoutP > 0) dropout = Add("dropout", new Dropout(dropoutP, rng.Fork()));
    }

    /// <summary>Self-attention sub-layer.</summary>
    public MultiHeadSelfAttention Attention { get; }

    /// <summary>Norm after the attention residual.</summary>
    public LayerNorm AttentionNorm { get; }

    /// <summary>The position-wise sub-layer (a feed-forward block, or e.g. a mixture of experts).</summary>
    public Layer FeedForwardBlock { get; }

    /// <summary>The feed-forward sub-layer, when it is a plain feed-forward block.</summary>
    public FeedForward FeedForward => FeedForwardBlock as FeedForward
        ?? throw new ConfigurationException($"{Describe()} has a {FeedForwardBlock.GetType().Name} in place of a feed-forward block; use FeedForwardBlock.");

    /// <summary>Norm after the feed-forward residual.</summary>
    public LayerNorm OutputNorm { get; }

    /// <inheritdoc/>
    protected override Tensor Compute(Tensor input)
    {
        var a = Attention.Forward(input);
        if (dropout is not null) a = dropout.Forward(a);
        var x = AttentionNorm.Forward(input.Add(a));
        var f = FeedForwardBlock.Forward(x);
        if (dropout is not null) f = dropout.Forward(f);
        return OutputNorm.Forward(x.Add(f));
    }

    /// <inheritdoc/>
    int? IHostLayer.InputWidth => OutputNorm.Features;

    /// <inheritdoc/>
    int? IHostLayer.OutputWidth => OutputNorm.Features;
}
