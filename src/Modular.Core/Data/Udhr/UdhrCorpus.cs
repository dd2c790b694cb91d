namespace Modular.Data;

/// <summary>
/// The Universal Declaration of Human Rights in many languages and scripts, aligned by article: text for masked
/// language modelling per language, language identification, and multi-script mixtures of experts.
/// </summary>
/// <remarks>
/// Stored as <c>languages.tsv</c> (tag, name, script, direction, udhr_code, iso639_3) and one <c>&lt;tag&gt;.tsv</c>
/// per language (article, text). Source and licence: <c>data/udhr/ATTRIBUTION.md</c>.
/// </remarks>
public sealed class UdhrCorpus
{
    /// <summary>The folder name of this data set inside a data directory.</summary>
    public const string FolderName = "udhr";

    private const string Dataset = "UDHR";
    private const string LanguagesFile = "languages.tsv";
    private static readonly string[] LanguageColumns = ["tag", "name", "script", "direction", "udhr_code", "iso639_3"];
    private static readonly string[] ParagraphColumns = ["article", "text"];

    private readonly Dictionary<string, UdhrLanguage> byTag;

    /// <summary>Creates a corpus from languages with distinct tags.</summary>
    /// <exception cref="ConfigurationException">Two languages share a tag.</exception>
    public UdhrCorpus(IReadOnlyList<UdhrLanguage> languages)
    {
        ArgumentNullException.ThrowIfNull(languages);
        Languages = languages;
        byTag = new Dictionary<string, UdhrLanguage>(StringComparer.Ordinal);
        foreach (var language in languages)
            if (!byTag.TryAdd(language.Tag, language))
                throw new ConfigurationException($"UdhrCorpus: language tag '{language.Tag}' appears twice.");
    }

    /// <summary>The languages, in the order of <c>languages.tsv</c>.</summary>
    public IReadOnlyList<UdhrLanguage> Languages { get; }

    /// <summary>The language with BCP 47 tag <paramref name="tag"/>.</summary>
    /// <exception cref="ConfigurationException">No language has that tag.</exception>
    public UdhrLanguage this[string tag] => byTag.TryGetValue(tag, out var language)
        ? language
        : throw new ConfigurationException($"UDHR has no language '{tag}'; available: {string.Join(", ", byTag.Keys)}.");

    /// <summary>Every paragraph labelled with its language's index in <see cref="Languages"/>: a language-identification task.</summary>
    public IReadOnlyList<LabeledText> LanguageIdentification() =>
        [.. Languages.SelectMany((language, index) => language.Paragraphs.Select(p => new LabeledText(p.Text, index)))];

    /// <summary>Loads the corpus from <paramref name="directory"/> (default: the shipped <c>data/udhr</c>).</summary>
    /// <exception cref="DataFileException">A file is missing or damaged; the message names it and the fetch command.</exception>
    public static UdhrCorpus Load(string? directory = null)
    {
        directory ??= Path.Combine(DataDirectory.Shipped, FolderName);
        var table = TsvTable.Read(directory, LanguagesFile, Dataset);
        table.RequireHeader(LanguageColumns);
        var languages = new List<UdhrLanguage>(table.Rows.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < table.Rows.Count; i++)
        {
            var row = table.Rows[i];
            if (!seen.Add(row[0])) throw table.Error(i, $"language tag '{row[0]}' appears twice");
            bool rightToLeft = row[3] switch
            {
                "ltr" => false,
                "rtl" => true,
                _ => throw table.Error(i, $"direction is '{row[3]}', expected ltr or rtl"),
            };
            languages.Add(new UdhrLanguage(row[0], row[1], row[2], rightToLeft, row[4], row[5], LoadParagraphs(directory, row[0])));
        }
        return new UdhrCorpus(languages);
    }

    /// <summary>Writes the corpus to <paramref name="directory"/> in the format <see cref="Load"/> reads, each file atomically.</summary>
    public void Save(string directory)
    {
        TsvTable.Write(Path.Combine(directory, LanguagesFile), LanguageColumns,
            Languages.Select(l => new[] { l.Tag, l.Name, l.Script, l.RightToLeft ? "rtl" : "ltr", l.UdhrCode, l.Iso6393 }));
        foreach (var language in Languages)
            TsvTable.Write(Path.Combine(directory, language.Tag + ".tsv"), ParagraphColumns,
                language.Paragraphs.Select(p => new[] { p.Article.ToString(System.Globalization.CultureInfo.InvariantCulture), p.Text }));
    }

    private static List<UdhrParagraph> LoadParagraphs(string directory, string tag)
    {
        var table = TsvTable.Read(directory, tag + ".tsv", Dataset);
        table.RequireHeader(ParagraphColumns);
        if (table.Rows.Count == 0) throw table.Error(0, "the language has no paragraphs");
        var paragraphs = new List<UdhrParagraph>(table.Rows.Count);
        for (int i = 0; i < table.Rows.Count; i++)
        {
            int article = table.ParseInt(i, 0);
            if (article > 30) throw table.Error(i, $"article {article} does not exist (the declaration has articles 1–30 and the preamble, 0)");
            if (table.Rows[i][1].Length == 0) throw table.Error(i, "the paragraph is empty");
            paragraphs.Add(new UdhrParagraph(article, table.Rows[i][1]));
        }
        return paragraphs;
    }
}
