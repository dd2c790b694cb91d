using Modular.Tensors;

namespace Modular.NN;

/// <summary>
/// A Transformer encoder with a masked-language-modelling head, BERT-style: transform (Linear, GELU, LayerNorm),
/// then the decoder to vocabulary logits. The head's <c>preDecoder</c> identity is where MAD-X applies the inverse
/// of its invertible adapter.
/// </summary>
public sealed class MaskedLanguageModel : TransformerEncoder, ITokenModel
{
    /// <summary>Creates the model from <paramref name="rng"/>.</summary>
    public MaskedLanguageModel(int vocabulary, int dimension, int layers, int heads, int feedForward, int maxLength, Rng rng, float dropout = 0f)
        : base(vocabulary, dimension, layers, heads, feedForward, maxLength, rng, dropout)
    {
        Head = Add("mlmHead", new MaskedLanguageModelHead(dimension, vocabulary, rng));
    }

    /// <summary>The prediction head.</summary>
    public MaskedLanguageModelHead Head { get; }

    /// <summary>Vocabulary logits [batch, length, vocabulary].</summary>
    public Tensor Forward(IntTensor ids, Tensor? paddingMask = null)
    {
        using var context = paddingMask is null ? null : ForwardContext.Begin(paddingMask);
        return Head.Forward(Encode(ids));
    }
}

/// <summary>The masked-language-modelling head: decoder(preDecoder(LN(GELU(transform(h))))).</summary>
public sealed class MaskedLanguageModelHead : Layer
{
    /// <summary>Creates the head for a d-dimensional model and a vocabulary.</summary>
    public MaskedLanguageModelHead(int dimension, int vocabulary, Rng rng)
    {
        Transform = Add("transform", new Linear(dimension, dimension, rng));
        Norm = Add("norm", new LayerNorm(dimension));
        PreDecoder = Add("preDecoder", new Identity());
        Decoder = Add("decoder", new Linear(dimension, vocabulary, rng));
    }

    /// <summary>d → d.</summary>
    public Linear Transform { get; }

    /// <summary>Normalisation after the transform.</summary>
    public LayerNorm Norm { get; }

    /// <summary>Hook point just before the decoder.</summary>
    public Identity PreDecoder { get; }

    /// <summary>d → vocabulary.</summary>
    public Linear Decoder { get; }

    /// <inheritdoc/>
    protected override Tensor Compute(Tensor input) => Decoder.Forward(PreDecoder.Forward(Norm.Forward(Transform.Forward(input).Gelu())));
}
