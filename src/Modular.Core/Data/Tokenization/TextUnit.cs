using System.Globalization;

namespace Modular.Data;

/// <summary>What a character tokenizer takes as one character.</summary>
public enum TextUnit
{
    /// <summary>A Unicode code point: small vocabularies; combining marks and vowel signs are tokens of their own.</summary>
    CodePoint,

    /// <summary>An extended grapheme cluster (what a reader sees as one character, e.g. a letter with its accents): shorter sequences, larger vocabularies.</summary>
    Grapheme,
}

/// <summary>Splits text into <see cref="TextUnit"/>s.</summary>
public static class TextUnits
{
    /// <summary>The units of <paramref name="text"/>, in order; concatenated they give the text back.</summary>
    public static IEnumerable<string> Split(string text, TextUnit unit)
    {
        ArgumentNullException.ThrowIfNull(text);
        return unit == TextUnit.Grapheme ? Graphemes(text) : CodePoints(text);
    }

    private static IEnumerable<string> CodePoints(string text)
    {
        for (int i = 0; i < text.Length;)
        {
            int length = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            yield return text.Substring(i, length);
            i += length;
        }
    }

    private static IEnumerable<string> Graphemes(string text)
    {
        for (int i = 0; i < text.Length;)
        {
            int length = StringInfo.GetNextTextElementLength(text, i);
            yield return text.Substring(i, length);
            i += length;
        }
    }
}
