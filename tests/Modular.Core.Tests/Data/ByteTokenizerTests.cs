using Modular.Data;

namespace Modular.Tests.Data;

public class ByteTokenizerTests
{
    private static readonly ByteTokenizer Bytes = ByteTokenizer.Instance;

    [Fact]
    public void Ids_are_utf8_bytes_shifted_past_the_special_tokens()
    {
        Assert.Equal(261, Bytes.VocabularySize);
        Assert.Equal([SpecialTokens.Count + 0x41, SpecialTokens.Count + 0xC3, SpecialTokens.Count + 0xA9], Bytes.Encode("Aé"));
        Assert.Equal(["A", "<0xC3>", "<0xA9>", "[CLS]"], new[] { 0x46, 0xC8, 0xAE, SpecialTokens.Classification }.Select(Bytes.TokenName));
    }

    [Theory]
    [InlineData("Все люди")]
    [InlineData("すべての人間")]
    [InlineData("नमस्ते 𝒜")]
    public void Encode_then_decode_gives_the_text_back(string text) =>
        Assert.Equal(text, Bytes.Decode(Bytes.Encode(text)));

    [Fact]
    public void A_character_cut_in_half_decodes_as_a_replacement_character()
    {
        var ids = Bytes.Encode("aé");
        Assert.Equal("a\uFFFD", Bytes.Decode(ids.AsSpan(0, 2)));
        Assert.Throws<IndexOutOfRangeModularException>(() => Bytes.Decode([SpecialTokens.Count + 256]));
    }
}
