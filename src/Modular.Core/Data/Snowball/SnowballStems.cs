namespace Modular.Data;

/// <summary>
/// Word → stem pairs from the Snowball stemmers' test vocabularies, one <see cref="StemmingTask"/> per language:
/// many related tasks ("how many characters does the stemmer cut?") with the same label set, for multi-task
/// learning with shared skills and few-shot transfer to held-out languages.
/// </summary>
/// <remarks>
/// Stored as <c>languages.tsv</c> (tag, name, script, license) and one <c>&lt;tag&gt;.tsv</c> per language (word,
/// stem). Only pairs whose stem is a prefix of the word are kept. Sources and licences:
/// <c>data/snowball/ATTRIBUTION.md</c>.
/// </remarks>
public sealed class SnowballStems
{
    /// <summary>The folder name of this data set inside a data directory.</summary>
    public const string FolderName = "snowball";

    /// <summary>The default cap on the cut-length label: 5 means classes 0, 1, 2, 3, 4 and "5 or more".</summary>
    public const int DefaultMaxCut = 5;

    private const string Dataset = "Snowball";
    private const string LanguagesFile = "languages.tsv";
    private static readonly string[] LanguageColumns = ["tag", "name", "script", "license"];
    private static readonly string[] PairColumns = ["word", "stem"];

    private readonly Dictionary<string, StemmingTask> byTag;

    /// <summary>Creates the collection from tasks with distinct tags.</summary>
    /// <exception cref="ConfigurationException">Two tasks share a tag.</exception>
    public SnowballStems(IReadOnlyList<StemmingTask> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        Tasks = tasks;
        byTag = new Dictionary<string, StemmingTask>(StringComparer.Ordinal);
        foreach (var task in tasks)
            if (!byTag.TryAdd(task.Tag, task))
                throw new ConfigurationException($"SnowballStems: language tag '{task.Tag}' appears twice.");
    }

    /// <summary>The tasks, one per language, in the order of <c>languages.tsv</c>.</summary>
    public IReadOnlyList<StemmingTask> Tasks { get; }

    /// <summary>The task of the language with BCP 47 tag <paramref name="tag"/>.</summary>
    /// <exception cref="ConfigurationException">No task has that tag.</exception>
    public StemmingTask this[string tag] => byTag.TryGetValue(tag, out var task)
        ? task
        : throw new ConfigurationException($"Snowball stems have no language '{tag}'; available: {string.Join(", ", byTag.Keys)}.");

    /// <summary>Loads the tasks from <paramref name="directory"/> (default: the shipped <c>data/snowball</c>).</summary>
    /// <exception cref="DataFileException">A file is missing or damaged; the message names it and the fetch command.</exception>
    public static SnowballStems Load(string? directory = null)
    {
        directory ??= Path.Combine(DataDirectory.Shipped, FolderName);
        var table = TsvTable.Read(directory, LanguagesFile, Dataset);
        table.RequireHeader(LanguageColumns);
        var tasks = new List<StemmingTask>(table.Rows.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < table.Rows.Count; i++)
        {
            var row = table.Rows[i];
            if (!seen.Add(row[0])) throw table.Error(i, $"language tag '{row[0]}' appears twice");
            tasks.Add(new StemmingTask(row[0], row[1], row[2], row[3], LoadPairs(directory, row[0])));
        }
        return new SnowballStems(tasks);
    }

    /// <summary>Writes the tasks to <paramref name="directory"/> in the format <see cref="Load"/> reads, each file atomically.</summary>
    public void Save(string directory)
    {
        TsvTable.Write(Path.Combine(directory, LanguagesFile), LanguageColumns, Tasks.Select(t => new[] { t.Tag, t.Name, t.Script, t.License }));
        foreach (var task in Tasks)
            TsvTable.Write(Path.Combine(directory, task.Tag + ".tsv"), PairColumns, task.Pairs.Select(p => new[] { p.Word, p.Stem }));
    }

    private static List<StemPair> LoadPairs(string directory, string tag)
    {
        var table = TsvTable.Read(directory, tag + ".tsv", Dataset);
        table.RequireHeader(PairColumns);
        var pairs = new List<StemPair>(table.Rows.Count);
        for (int i = 0; i < table.Rows.Count; i++)
        {
            var (word, stem) = (table.Rows[i][0], table.Rows[i][1]);
            if (word.Length == 0 || !word.StartsWith(stem, StringComparison.Ordinal))
                throw table.Error(i, $"stem '{stem}' is not a prefix of word '{word}'");
            pairs.Add(new StemPair(word, stem));
        }
        return pairs;
    }
}
