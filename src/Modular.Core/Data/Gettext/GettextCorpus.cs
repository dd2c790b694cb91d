namespace Modular.Data;

/// <summary>
/// Program messages aligned across languages, labelled with the program they come from. "Which program does this
/// message come from?" has the same labels in every language, so a classifier trained on English can be evaluated
/// zero-shot on the translations (cross-lingual transfer).
/// </summary>
/// <remarks>
/// Stored as <c>messages.tsv</c>: a <c>program</c> column, then one column per language tag. Derived from the gettext
/// catalogues of Debian packages; sources and licences: <c>data/gettext/ATTRIBUTION.md</c>. Split the
/// <see cref="Messages"/> (not the per-language examples) so that no translation of a training message is tested.
/// </remarks>
public sealed class GettextCorpus
{
    /// <summary>The folder name of this data set inside a data directory.</summary>
    public const string FolderName = "gettext";

    private const string Dataset = "gettext";
    private const string MessagesFile = "messages.tsv";
    private const string ProgramColumn = "program";

    private readonly Dictionary<string, int> programLabels;

    /// <summary>Creates a corpus; programs are numbered in ordinal order of their names.</summary>
    /// <exception cref="ConfigurationException">A message lacks one of <paramref name="languages"/>.</exception>
    public GettextCorpus(IReadOnlyList<string> languages, IReadOnlyList<TranslatedMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(languages);
        ArgumentNullException.ThrowIfNull(messages);
        foreach (var message in messages)
            foreach (var language in languages)
                if (!message.Texts.ContainsKey(language))
                    throw new ConfigurationException($"GettextCorpus: a {message.Program} message has no '{language}' text.");
        Languages = languages;
        Messages = messages;
        Programs = [.. messages.Select(m => m.Program).Distinct().Order(StringComparer.Ordinal)];
        programLabels = Programs.Select((program, label) => (program, label)).ToDictionary(p => p.program, p => p.label, StringComparer.Ordinal);
    }

    /// <summary>The language tags, <c>en</c> (the source) first.</summary>
    public IReadOnlyList<string> Languages { get; }

    /// <summary>The program names; a program's index is its class label.</summary>
    public IReadOnlyList<string> Programs { get; }

    /// <summary>The aligned messages.</summary>
    public IReadOnlyList<TranslatedMessage> Messages { get; }

    /// <summary>The class label of <paramref name="message"/>: its program's index in <see cref="Programs"/>.</summary>
    public int Label(TranslatedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return programLabels.TryGetValue(message.Program, out int label)
            ? label
            : throw new ConfigurationException($"GettextCorpus: program '{message.Program}' is not one of {string.Join(", ", Programs)}.");
    }

    /// <summary>The <paramref name="language"/> text of each message (default: all) with its program label.</summary>
    /// <exception cref="ConfigurationException">The language is not in the corpus.</exception>
    public IReadOnlyList<LabeledText> Examples(string language, IEnumerable<TranslatedMessage>? messages = null)
    {
        if (!Languages.Contains(language))
            throw new ConfigurationException($"GettextCorpus has no language '{language}'; available: {string.Join(", ", Languages)}.");
        return [.. (messages ?? Messages).Select(m => new LabeledText(m.Texts[language], Label(m)))];
    }

    /// <summary>Loads the corpus from <paramref name="directory"/> (default: the shipped <c>data/gettext</c>).</summary>
    /// <exception cref="DataFileException">The file is missing or damaged; the message names it and the fetch command.</exception>
    public static GettextCorpus Load(string? directory = null)
    {
        directory ??= Path.Combine(DataDirectory.Shipped, FolderName);
        var table = TsvTable.Read(directory, MessagesFile, Dataset);
        if (table.Header.Count < 2 || table.Header[0] != ProgramColumn)
            throw table.HeaderError($"it should be '{ProgramColumn}' followed by one column per language tag");
        var languages = table.Header.Skip(1).ToArray();
        var messages = new List<TranslatedMessage>(table.Rows.Count);
        for (int i = 0; i < table.Rows.Count; i++)
        {
            var row = table.Rows[i];
            var texts = new Dictionary<string, string>(languages.Length, StringComparer.Ordinal);
            for (int l = 0; l < languages.Length; l++)
            {
                if (row[l + 1].Length == 0) throw table.Error(i, $"the '{languages[l]}' text is empty");
                texts[languages[l]] = row[l + 1];
            }
            messages.Add(new TranslatedMessage(row[0], texts));
        }
        return new GettextCorpus(languages, messages);
    }

    /// <summary>Writes the corpus to <paramref name="directory"/> in the format <see cref="Load"/> reads, atomically.</summary>
    public void Save(string directory) =>
        TsvTable.Write(Path.Combine(directory, MessagesFile), [ProgramColumn, .. Languages],
            Messages.Select(m => (IReadOnlyList<string>)[m.Program, .. Languages.Select(l => m.Texts[l])]));
}
