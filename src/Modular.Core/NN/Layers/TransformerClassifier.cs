using Modular.Tensors;

namespace Modular.NN;

/// <summary>
/// A Transformer encoder with mean pooling over the sequence (over real tokens when a padding mask is given)
/// and a linear head: token ids → class logits. With the anchor configuration (vocabulary 1000, d 256, 4 layers,
/// 4 heads, ff 1024, 64 positions, 2 classes) it has 3,431,938 parameters, as the PyTorch reference.
/// </summary>
public class TransformerClassifier : TransformerEncoder, ITokenModel
{
    /// <summary>Creates the model from <paramref name="rng"/>.</summary>
    public TransformerClassifier(int vocabulary, int dimension, int layers, int heads, int feedForward, int classes, int maxLength, Rng rng, float dropout = 0f, Func<int, Rng, Layer>? feedForwardBlock = null)
        : base(vocabulary, dimension, layers, heads, feedForward, maxLength, rng, dropout, feedForwardBlock)
    {
        if (classes < 1) throw new ConfigurationException($"TransformerClassifier: classes must be ≥ 1, got {classes}.");
        Head = Add("head", new Linear(dimension, classes, rng));
    }

    /// <summary>Creates a classifier from a seed (named arguments read like the configuration).</summary>
    public static TransformerClassifier Create(int vocab, int dModel, int layers, int heads, int ff, int classes, int maxLength = 64, int seed = 0, float dropout = 0f) =>
        new(vocab, dModel, layers, heads, ff, classes, maxLength, new Rng((ulong)seed), dropout);

    /// <summary>The classification head.</summary>
    public Linear Head { get; }

    /// <summary>Number of classes.</summary>
    public int Classes => Head.OutFeatures;

    /// <summary>Class logits [batch, classes]. <paramref name="paddingMask"/> [batch, length] (1 = token) is optional.</summary>
    public Tensor Forward(IntTensor ids, Tensor? paddingMask = null)
    {
        using var context = paddingMask is null ? null : ForwardContext.Begin(paddingMask);
        var hidden = Encode(ids);
        return Head.Forward(Pooling.MeanOverTokens(hidden, ForwardContext.Current?.PaddingMask));
    }
}
