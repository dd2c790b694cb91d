using Modular.Tensors;

namespace Modular.NN;

/// <summary>
/// Embeddings followed by a stack of post-LN encoder layers: token ids [batch, length] → hidden states
/// [batch, length, dimension]. The base that classifiers and masked-language models build on; its children
/// are <c>embeddings</c> and <c>layers.0</c>, <c>layers.1</c>, ….
/// </summary>
public class TransformerEncoder : Module
{
    /// <summary>
    /// Creates the encoder; all weights are drawn from <paramref name="rng"/> in a fixed order. <paramref name="feedForwardBlock"/>,
    /// if given, makes the position-wise block of layer i in place of a GELU feed-forward block of width
    /// <paramref name="feedForward"/> (e.g. a mixture of experts).
    /// </summary>
    public TransformerEncoder(int vocabulary, int dimension, int layers, int heads, int feedForward, int maxLength, Rng rng, float dropout = 0f, Func<int, Rng, Layer>? feedForwardBlock = null)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (layers < 1) throw new ConfigurationException($"TransformerEncoder: layers must be ≥ 1, got {layers}.");
        Dimension = dimension;
        Embeddings = Add("embeddings", new TransformerEmbeddings(vocabulary, dimension, maxLength, rng));
        Layers = Add("layers", new ModuleList<TransformerEncoderLayer>(
            Enumerable.Range(0, layers).Select(i => feedForwardBlock is null
                ? new TransformerEncoderLayer(dimension, heads, feedForward, rng, dropout)
                : new TransformerEncoderLayer(dimension, heads, r => feedForwardBlock(i, r), rng, dropout))));
    }

    /// <summary>Model dimension.</summary>
    public int Dimension { get; }

    /// <summary>Token and position embeddings.</summary>
    public TransformerEmbeddings Embeddings { get; }

    /// <summary>The encoder layers.</summary>
    public ModuleList<TransformerEncoderLayer> Layers { get; }

    /// <inheritdoc/>
    public override string Description => $"{Layers.Count} layers, d = {Dimension}";

    /// <summary>Hidden states for <paramref name="ids"/>; padding from <see cref="ForwardContext.PaddingMask"/> is masked in attention.</summary>
    public Tensor Encode(IntTensor ids)
    {
        var x = Embeddings.Forward(ids);
        foreach (var layer in Layers.Items) x = layer.Forward(x);
        return x;
    }
}
