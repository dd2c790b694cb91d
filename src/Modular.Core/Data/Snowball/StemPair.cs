using System.Text;

namespace Modular.Data;

/// <summary>A word and the stem a Snowball stemmer gives it, where the stem is the word with its ending cut off.</summary>
public sealed record StemPair
{
    /// <summary>Creates the pair.</summary>
    /// <exception cref="ConfigurationException">The stem is not a prefix of the word.</exception>
    public StemPair(string word, string stem)
    {
        ArgumentNullException.ThrowIfNull(word);
        ArgumentNullException.ThrowIfNull(stem);
        if (!word.StartsWith(stem, StringComparison.Ordinal))
            throw new ConfigurationException($"StemPair: stem '{stem}' is not a prefix of '{word}'; only stems obtained by cutting an ending are kept.");
        Word = word;
        Stem = stem;
    }

    /// <summary>The inflected word.</summary>
    public string Word { get; }

    /// <summary>Its stem, a prefix of <see cref="Word"/>.</summary>
    public string Stem { get; }

    /// <summary>How many characters (Unicode code points) the stemmer cuts from the end of the word.</summary>
    public int CutLength => CountCodePoints(Word.AsSpan(Stem.Length));

    private static int CountCodePoints(ReadOnlySpan<char> text)
    {
        int count = 0;
        foreach (var _ in text.EnumerateRunes()) count++;
        return count;
    }
}
