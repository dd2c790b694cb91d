using System.Text;

namespace Modular.Data;

/// <summary>
/// A tokenizer over UTF-8 bytes: a fixed vocabulary of the special tokens plus 256 bytes, nothing unknown, no
/// vocabulary to build or save — at the price of longer sequences for scripts outside ASCII (2–3 bytes a character).
/// </summary>
public sealed class ByteTokenizer : ITokenizer
{
    /// <summary>The shared instance: the tokenizer has no state.</summary>
    public static ByteTokenizer Instance { get; } = new();

    private ByteTokenizer() { }

    /// <inheritdoc/>
    public int VocabularySize => SpecialTokens.Count + 256;

    /// <inheritdoc/>
    public int[] Encode(string text) => [.. Encoding.UTF8.GetBytes(text).Select(b => SpecialTokens.Count + b)];

    /// <summary>The text of the byte tokens; a sequence cut inside a character decodes the broken character as U+FFFD.</summary>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var bytes = new List<byte>(ids.Length);
        foreach (int id in ids)
            if (!SpecialTokens.IsSpecial(id)) bytes.Add(ToByte(id));
        return Encoding.UTF8.GetString([.. bytes]);
    }

    /// <inheritdoc/>
    public string TokenName(int id)
    {
        if (SpecialTokens.IsSpecial(id)) return SpecialTokens.Names[id];
        byte b = ToByte(id);
        return b is >= 0x21 and < 0x7F ? ((char)b).ToString() : $"<0x{b:X2}>";
    }

    private static byte ToByte(int id) => id >= SpecialTokens.Count && id < SpecialTokens.Count + 256
        ? (byte)(id - SpecialTokens.Count)
        : throw new IndexOutOfRangeModularException($"ByteTokenizer: token id {id} is outside the vocabulary [0, {SpecialTokens.Count + 256}).");
}
