using Modular.Data;

namespace Modular.Tests.Data;

public class CharTokenizerTests
{
    [Fact]
    public void Ids_follow_frequency_then_ordinal_order_after_the_special_tokens()
    {
        var tokenizer = CharTokenizer.Build(["abca", "cab"]);
        // a: 3, b: 2, c: 2 -> a, then b before c ordinally.
        Assert.Equal(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "c"], tokenizer.Tokens);
        Assert.Equal([5, 6, 7, 5], tokenizer.Encode("abca"));
    }

    [Theory]
    [InlineData("Все люди рождаются свободными")]
    [InlineData("すべての人間は、生まれながらにして自由")]
    [InlineData("यह 𝒜 surrogate-pair text")]
    public void Encode_then_decode_gives_the_text_back(string text)
    {
        var tokenizer = CharTokenizer.Build([text]);
        Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
    }

    [Fact]
    public void Shipped_udhr_round_trips_in_every_language()
    {
        var udhr = UdhrCorpus.Load();
        var texts = udhr.Languages.SelectMany(l => l.Paragraphs).Select(p => p.Text).ToList();
        var tokenizer = CharTokenizer.Build(texts);
        Assert.All(texts, t => Assert.Equal(t, tokenizer.Decode(tokenizer.Encode(t))));
        Assert.Equal(1882, tokenizer.VocabularySize); // 5 special tokens and 1,877 characters, 720 of them Han or kana and 302 Hangul syllables
    }

    [Fact]
    public void Unseen_and_rare_characters_become_unknown()
    {
        var tokenizer = CharTokenizer.Build(["aaab"], minCount: 2);
        Assert.Equal(6, tokenizer.VocabularySize);
        Assert.Equal([5, SpecialTokens.Unknown, SpecialTokens.Unknown], tokenizer.Encode("abz"));
        Assert.Equal("a", tokenizer.Decode(tokenizer.Encode("abz")));
    }

    [Fact]
    public void Maximum_vocabulary_keeps_the_most_frequent_characters()
    {
        var tokenizer = CharTokenizer.Build(["aaabbc"], maxVocabularySize: 7);
        Assert.Equal(["a", "b"], tokenizer.Tokens.Skip(SpecialTokens.Count));
        Assert.Throws<ConfigurationException>(() => CharTokenizer.Build(["a"], maxVocabularySize: SpecialTokens.Count));
        Assert.Throws<ConfigurationException>(() => CharTokenizer.Build(["a"], minCount: 0));
    }

    [Fact]
    public void Grapheme_units_keep_combining_marks_and_emoji_modifiers_with_their_base()
    {
        string text = "e\u0301t\u00e9 👍🏽"; // decomposed é, composed é, thumbs up with a skin-tone modifier
        var byCodePoint = CharTokenizer.Build([text]);
        var byGrapheme = CharTokenizer.Build([text], TextUnit.Grapheme);

        Assert.Equal(7, byCodePoint.Encode(text).Length);
        Assert.Equal(5, byGrapheme.Encode(text).Length);
        Assert.Contains("e\u0301", byGrapheme.Tokens);
        Assert.Equal(text, byGrapheme.Decode(byGrapheme.Encode(text)));
    }

    [Fact]
    public void Save_then_load_keeps_ids_and_unit()
    {
        using var folder = new TempDirectory();
        string path = Path.Combine(folder.Path, "vocab.json");
        var tokenizer = CharTokenizer.Build(["hello wörld", "\t\"quoted\"\n"], TextUnit.Grapheme);
        tokenizer.Save(path);
        var loaded = CharTokenizer.Load(path);

        Assert.Equal(TextUnit.Grapheme, loaded.Unit);
        Assert.Equal(tokenizer.Tokens, loaded.Tokens);
        Assert.Equal(tokenizer.Encode("wörld"), loaded.Encode("wörld"));
    }

    [Theory]
    [InlineData("{\"unit\": \"CodePoint\", \"tokens\": [\"a\"]}", "must start with the special tokens")]
    [InlineData("{\"unit\": \"Word\", \"tokens\": []}", "'unit' must be one of CodePoint, Grapheme")]
    [InlineData("{\"tokens\": []}", "is not a CharTokenizer vocabulary")]
    [InlineData("not json", "is not a CharTokenizer vocabulary")]
    [InlineData("{\"unit\": \"CodePoint\", \"tokens\": [\"[PAD]\", \"[UNK]\", \"[CLS]\", \"[SEP]\", \"[MASK]\", \"a\", \"a\"]}", "'a' appears twice")]
    public void Damaged_vocabulary_files_are_reported(string content, string problem)
    {
        using var folder = new TempDirectory();
        string path = Path.Combine(folder.Path, "vocab.json");
        File.WriteAllText(path, content);
        var error = Assert.Throws<DataFileException>(() => CharTokenizer.Load(path));
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
        Assert.Equal(path, error.FilePath);
    }

    [Fact]
    public void Out_of_range_ids_are_reported()
    {
        var tokenizer = CharTokenizer.Build(["ab"]);
        Assert.Throws<IndexOutOfRangeModularException>(() => tokenizer.Decode([7]));
        Assert.Equal("[MASK]", tokenizer.TokenName(SpecialTokens.Mask));
    }
}
