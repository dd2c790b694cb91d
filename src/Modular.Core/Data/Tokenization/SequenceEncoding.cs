namespace Modular.Data;

/// <summary>Fixed-length encodings for Transformers, for any <see cref="ITokenizer"/>: <c>[CLS] tokens… [SEP] [PAD]…</c>.</summary>
public static class SequenceEncoding
{
    /// <summary>Tokens framed by [CLS] and [SEP], truncated (the end of the text is dropped, [SEP] kept) or padded to exactly <paramref name="length"/>.</summary>
    /// <exception cref="ConfigurationException"><paramref name="length"/> is below 3, which leaves no room for a token.</exception>
    public static int[] EncodeFixed(this ITokenizer tokenizer, string text, int length)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return Frame(tokenizer.Encode(text), length);
    }

    /// <summary>Encodes texts to a [texts, <paramref name="length"/>] batch without labels.</summary>
    public static TokenBatch EncodeBatch(this ITokenizer tokenizer, IReadOnlyList<string> texts, int length)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return TokenBatch.FromSequences([.. texts.Select(t => tokenizer.EncodeFixed(t, length))]);
    }

    /// <summary>Encodes labelled texts to a [examples, <paramref name="length"/>] batch with [examples] labels.</summary>
    public static TokenBatch EncodeBatch(this ITokenizer tokenizer, IReadOnlyList<LabeledText> examples, int length)
    {
        ArgumentNullException.ThrowIfNull(examples);
        return TokenBatch.FromSequences([.. examples.Select(e => tokenizer.EncodeFixed(e.Text, length))], [.. examples.Select(e => e.Label)]);
    }

    /// <summary>
    /// Cuts a long text into consecutive windows of <paramref name="length"/> − 2 tokens, each framed by [CLS] and
    /// [SEP] and the last one padded, so every token of the text is in exactly one window: language-modelling data
    /// from paragraphs longer than the model's context.
    /// </summary>
    public static IEnumerable<int[]> EncodeWindows(this ITokenizer tokenizer, string text, int length)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        CheckLength(length);
        var ids = tokenizer.Encode(text);
        int content = length - 2;
        for (int start = 0; start < ids.Length; start += content)
            yield return Frame(ids.AsSpan(start, Math.Min(content, ids.Length - start)), length);
    }

    private static int[] Frame(ReadOnlySpan<int> ids, int length)
    {
        CheckLength(length);
        int kept = Math.Min(ids.Length, length - 2);
        var sequence = new int[length]; // zero-filled: SpecialTokens.Pad
        sequence[0] = SpecialTokens.Classification;
        ids[..kept].CopyTo(sequence.AsSpan(1));
        sequence[kept + 1] = SpecialTokens.Separator;
        return sequence;
    }

    private static void CheckLength(int length)
    {
        if (length < 3) throw new ConfigurationException($"Sequence length {length} leaves no room for a token between [CLS] and [SEP]; use at least 3.");
    }
}
