using Modular.Tensors;

namespace Modular.Data;

/// <summary>
/// BERT's masked-language-modelling corruption (Devlin et al., 2019): each ordinary token is chosen with a given
/// probability; a chosen token becomes [MASK] 80% of the time, a random ordinary token 10%, and stays itself 10%;
/// the model must predict the original token at every chosen position.
/// </summary>
public static class MaskedLanguageModeling
{
    /// <summary>The label of positions with nothing to predict (PyTorch's cross-entropy default <c>ignore_index</c>).</summary>
    public const int IgnoreLabel = -100;

    /// <summary>
    /// A corrupted copy of <paramref name="batch"/> whose labels are the original ids at the chosen positions and
    /// <see cref="IgnoreLabel"/> elsewhere. Special tokens ([PAD], [CLS], [SEP], ...) are never chosen. A short
    /// sequence may have no chosen position; the batch's mean loss is then taken over the others.
    /// </summary>
    /// <param name="batch">Encoded sequences; their labels, if any, are replaced.</param>
    /// <param name="vocabularySize">The tokenizer's vocabulary size, to draw random replacement tokens.</param>
    /// <param name="rng">The random source; the same seed gives the same corruption.</param>
    /// <param name="probability">The chance that an ordinary token is chosen (BERT: 0.15).</param>
    /// <exception cref="ConfigurationException">The probability is outside (0, 1] or the vocabulary has no ordinary token.</exception>
    public static TokenBatch Mask(TokenBatch batch, int vocabularySize, Rng rng, float probability = 0.15f)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(rng);
        if (!(probability > 0 && probability <= 1))
            throw new ConfigurationException($"MaskedLanguageModeling.Mask: probability must be in (0, 1], got {probability}.");
        if (vocabularySize <= SpecialTokens.Count)
            throw new ConfigurationException($"MaskedLanguageModeling.Mask: vocabulary size {vocabularySize} has no ordinary token to draw.");

        var inputs = IntTensor.FromArray(batch.TokenIds.Span, batch.TokenIds.Shape.ToArray());
        var labels = IntTensor.FromArray(batch.TokenIds.Span, batch.TokenIds.Shape.ToArray());
        var ids = inputs.Span;
        var targets = labels.Span;
        for (int i = 0; i < ids.Length; i++)
        {
            if (SpecialTokens.IsSpecial(ids[i]) || rng.NextFloat() >= probability)
            {
                targets[i] = IgnoreLabel;
                continue;
            }
            float action = rng.NextFloat();
            if (action < 0.8f) ids[i] = SpecialTokens.Mask;
            else if (action < 0.9f) ids[i] = SpecialTokens.Count + rng.NextInt(vocabularySize - SpecialTokens.Count);
        }
        return batch with { TokenIds = inputs, Labels = labels };
    }
}
