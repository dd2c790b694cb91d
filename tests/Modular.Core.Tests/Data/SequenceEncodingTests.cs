using Modular.Data;

namespace Modular.Tests.Data;

public class SequenceEncodingTests
{
    private static readonly CharTokenizer Tokenizer = CharTokenizer.Build(["abcdef"]);
    private const int C = SpecialTokens.Classification, S = SpecialTokens.Separator, P = SpecialTokens.Pad;

    [Fact]
    public void Short_text_is_framed_and_padded()
    {
        // a..f are ids 5..10 (equal counts, ordinal order).
        Assert.Equal([C, 5, 6, S, P, P], Tokenizer.EncodeFixed("ab", 6));
    }

    [Fact]
    public void Long_text_is_truncated_keeping_the_separator()
    {
        Assert.Equal([C, 5, 6, 7, S], Tokenizer.EncodeFixed("abcdef", 5));
        Assert.Throws<ConfigurationException>(() => Tokenizer.EncodeFixed("a", 2));
    }

    [Fact]
    public void Batch_holds_ids_attention_mask_and_labels()
    {
        var batch = Tokenizer.EncodeBatch([new LabeledText("abc", 1), new LabeledText("f", 0)], 6);

        Assert.Equal((2, 6), (batch.BatchSize, batch.SequenceLength));
        Assert.Equal([C, 5, 6, 7, S, P, C, 10, S, P, P, P], batch.TokenIds.ToArray());
        Assert.Equal([1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0], batch.AttentionMask.ToArray());
        Assert.Equal([1, 0], batch.Labels!.ToArray());
        Assert.Null(Tokenizer.EncodeBatch(["abc"], 6).Labels);
    }

    [Fact]
    public void Windows_cover_every_token_exactly_once()
    {
        var windows = Tokenizer.EncodeWindows("abcdefa", 5).ToList();
        Assert.Equal(3, windows.Count);
        Assert.Equal([C, 5, 6, 7, S], windows[0]);
        Assert.Equal([C, 8, 9, 10, S], windows[1]);
        Assert.Equal([C, 5, S, P, P], windows[2]);
        Assert.Empty(Tokenizer.EncodeWindows("", 5));
    }

    [Fact]
    public void Sequences_of_different_lengths_or_mismatched_labels_do_not_batch()
    {
        Assert.Throws<ShapeMismatchException>(() => TokenBatch.FromSequences([[C, S], [C, 5, S]]));
        Assert.Throws<ShapeMismatchException>(() => TokenBatch.FromSequences([[C, S]], [0, 1]));
        Assert.Throws<ShapeMismatchException>(() => TokenBatch.FromSequences([]));
    }
}
