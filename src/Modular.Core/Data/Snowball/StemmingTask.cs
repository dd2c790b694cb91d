namespace Modular.Data;

/// <summary>One language's stemming task: words with the stems a Snowball stemmer gives them.</summary>
/// <param name="Tag">The BCP 47 language tag (<c>da</c>, <c>ru</c>, <c>hi</c>, ...).</param>
/// <param name="Name">The English name of the language.</param>
/// <param name="Script">The ISO 15924 script code.</param>
/// <param name="License">The SPDX licence of this language's word list.</param>
/// <param name="Pairs">The word–stem pairs.</param>
public sealed record StemmingTask(string Tag, string Name, string Script, string License, IReadOnlyList<StemPair> Pairs)
{
    /// <summary>Each word labelled with how many characters its stem cuts off, capped at <paramref name="maxCut"/> (which then means "that many or more"): <paramref name="maxCut"/> + 1 classes.</summary>
    /// <exception cref="ConfigurationException"><paramref name="maxCut"/> is not positive.</exception>
    public IReadOnlyList<LabeledText> Examples(int maxCut = SnowballStems.DefaultMaxCut)
    {
        if (maxCut < 1) throw new ConfigurationException($"StemmingTask.Examples: maxCut must be at least 1, got {maxCut}.");
        return [.. Pairs.Select(p => new LabeledText(p.Word, Math.Min(p.CutLength, maxCut)))];
    }
}
