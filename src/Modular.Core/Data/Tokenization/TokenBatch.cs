using Modular.Tensors;

namespace Modular.Data;

/// <summary>A batch of equal-length token sequences for a Transformer: the ids, which positions hold real tokens, and the labels.</summary>
/// <param name="TokenIds">[batch, sequence] token ids, padded with <see cref="SpecialTokens.Pad"/>.</param>
/// <param name="AttentionMask">[batch, sequence]: 1 where a real token is, 0 at padding.</param>
/// <param name="Labels">[batch] class labels, or [batch, sequence] token targets for masked language modelling
/// (<see cref="MaskedLanguageModeling.IgnoreLabel"/> where nothing is predicted); null when unlabelled.</param>
public sealed record TokenBatch(IntTensor TokenIds, IntTensor AttentionMask, IntTensor? Labels)
{
    /// <summary>The number of sequences.</summary>
    public int BatchSize => TokenIds.Shape[0];

    /// <summary>The length every sequence is padded or truncated to.</summary>
    public int SequenceLength => TokenIds.Shape[1];

    /// <summary>Stacks equal-length sequences (from <see cref="SequenceEncoding.EncodeFixed"/>) into a batch, with one label per sequence if given.</summary>
    /// <exception cref="ShapeMismatchException">The sequences differ in length, there are none, or the label count differs from the sequence count.</exception>
    public static TokenBatch FromSequences(IReadOnlyList<int[]> sequences, IReadOnlyList<int>? labels = null)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0) throw new ShapeMismatchException("TokenBatch.FromSequences: a batch needs at least one sequence.");
        int length = sequences[0].Length;
        if (labels is not null && labels.Count != sequences.Count)
            throw new ShapeMismatchException($"TokenBatch.FromSequences: {sequences.Count} sequences but {labels.Count} labels.");

        var ids = IntTensor.Zeros(sequences.Count, length);
        var mask = IntTensor.Zeros(sequences.Count, length);
        for (int row = 0; row < sequences.Count; row++)
        {
            if (sequences[row].Length != length)
                throw new ShapeMismatchException($"TokenBatch.FromSequences: sequence {row} has {sequences[row].Length} tokens, sequence 0 has {length}; encode with a fixed length.");
            sequences[row].CopyTo(ids.Span.Slice(row * length, length));
            for (int t = 0; t < length; t++) mask.Span[row * length + t] = sequences[row][t] == SpecialTokens.Pad ? 0 : 1;
        }
        return new TokenBatch(ids, mask, labels is null ? null : IntTensor.FromArray(labels.ToArray(), labels.Count));
    }
}
