using Modular.Tensors;

namespace Modular.NN;

/// <summary>
/// A post-LN Transformer encoder layer, as in the anchor model:
/// x ← LN₁(x + Attention(x)); x ← LN₂(x + FeedForward(x)).
/// </summary>
public sealed class TransformerEncoderLayer : Layer
{
    private readonly Dropout? dropout;

    /// <summary>Creates the attention and feed-forward sub-layers with their norms.</summary>
    public TransformerEncoderLayer(int dimension, int heads, int feedForward, Rng rng, float dropoutP = 0f, ActivationKind activation = ActivationKind.Gelu, float eps = 1e-5f)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Attention = Add("attention", new MultiHeadSelfAttention(dimension, heads, rng, dropoutP));
        AttentionNorm = Add("attentionNorm", new LayerNorm(dimension, eps));
        FeedForward = Add("feedForward", new FeedForward(dimension, feedForward, rng, activation));
        OutputNorm = Add("outputNorm", new LayerNorm(dimension, eps));
        if (dropoutP > 0) dropout = Add("dropout", new Dropout(dropoutP, rng.Fork()));
    }

    /// <summary>Self-attention sub-layer.</summary>
    public MultiHeadSelfAttention Attention { get; }

    /// <summary>Norm after the attention residual.</summary>
    public LayerNorm AttentionNorm { get; }

    /// <summary>Feed-forward sub-layer.</summary>
    public FeedForward FeedForward { get; }

    /// <summary>Norm after the feed-forward residual.</summary>
    public LayerNorm OutputNorm { get; }

    /// <inheritdoc/>
    protected override Tensor Compute(Tensor input)
    {
        var a = Attention.Forward(input);
        if (dropout is not null) a = dropout.Forward(a);
        var x = AttentionNorm.Forward(input.Add(a));
        var f = FeedForward.Forward(x);
        if (dropout is not null) f = dropout.Forward(f);
        return OutputNorm.Forward(x.Add(f));
    }
}
