using System.Text;
using System.Text.Json;

namespace Modular.Data;

/// <summary>
/// A character-level tokenizer with a vocabulary built from a corpus: each <see cref="TextUnit"/> seen often enough
/// gets an id, the rest map to <see cref="SpecialTokens.Unknown"/>. Ids are ordered by descending frequency, ties
/// broken ordinally, so the same corpus always gives the same vocabulary.
/// </summary>
public sealed class CharTokenizer : ITokenizer
{
    private readonly string[] tokens;
    private readonly Dictionary<string, int> ids;

    private CharTokenizer(TextUnit unit, string[] tokens, string source)
    {
        Unit = unit;
        this.tokens = tokens;
        ids = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (int id = SpecialTokens.Count; id < tokens.Length; id++)
            if (!ids.TryAdd(tokens[id], id))
                throw new DataFileException($"{source}: token '{tokens[id]}' appears twice in the vocabulary (ids {ids[tokens[id]]} and {id}).", source);
    }

    /// <summary>What one token is: a code point or a grapheme cluster.</summary>
    public TextUnit Unit { get; }

    /// <summary>The token strings indexed by id; the first <see cref="SpecialTokens.Count"/> are the special tokens' names.</summary>
    public IReadOnlyList<string> Tokens => tokens;

    /// <inheritdoc/>
    public int VocabularySize => tokens.Length;

    /// <summary>Builds the vocabulary of <paramref name="texts"/>.</summary>
    /// <param name="texts">The corpus.</param>
    /// <param name="unit">What one token is.</param>
    /// <param name="minCount">Units seen fewer times become [UNK].</param>
    /// <param name="maxVocabularySize">If set, only the most frequent units are kept so the vocabulary (special tokens included) has at most this many ids.</param>
    /// <exception cref="ConfigurationException"><paramref name="minCount"/> is below 1 or <paramref name="maxVocabularySize"/> leaves no room beyond the special tokens.</exception>
    public static CharTokenizer Build(IEnumerable<string> texts, TextUnit unit = TextUnit.CodePoint, int minCount = 1, int? maxVocabularySize = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (minCount < 1) throw new ConfigurationException($"CharTokenizer.Build: minCount must be at least 1, got {minCount}.");
        if (maxVocabularySize <= SpecialTokens.Count)
            throw new ConfigurationException($"CharTokenizer.Build: maxVocabularySize {maxVocabularySize} leaves no room beyond the {SpecialTokens.Count} special tokens.");

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in texts)
            foreach (var piece in TextUnits.Split(text, unit))
                counts[piece] = counts.GetValueOrDefault(piece) + 1;

        var kept = counts.Where(c => c.Value >= minCount)
            .OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Take((maxVocabularySize ?? int.MaxValue) - SpecialTokens.Count)
            .Select(c => c.Key);
        return new CharTokenizer(unit, [.. SpecialTokens.Names, .. kept], "CharTokenizer.Build");
    }

    /// <inheritdoc/>
    public int[] Encode(string text) => [.. TextUnits.Split(text, Unit).Select(piece => ids.GetValueOrDefault(piece, SpecialTokens.Unknown))];

    /// <inheritdoc/>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var text = new StringBuilder(ids.Length);
        foreach (int id in ids)
            if (!SpecialTokens.IsSpecial(id)) text.Append(tokens[CheckId(id)]);
        return text.ToString();
    }

    /// <inheritdoc/>
    public string TokenName(int id) => tokens[CheckId(id)];

    /// <summary>Writes the vocabulary as JSON (<c>{"unit": ..., "tokens": [...]}</c>), atomically, so a trained model can be reloaded with the same ids.</summary>
    public void Save(string path)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("unit", Unit.ToString());
            json.WriteStartArray("tokens");
            foreach (var token in tokens) json.WriteStringValue(token);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        IO.AtomicFile.WriteAllText(path, Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>Reads a vocabulary written by <see cref="Save"/>.</summary>
    /// <exception cref="DataFileException">The file is missing or is not such a vocabulary.</exception>
    public static CharTokenizer Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new DataFileException($"Tokenizer vocabulary '{path}' does not exist; write it with CharTokenizer.Save.", path);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            if (!Enum.TryParse<TextUnit>(root.GetProperty("unit").GetString(), out var unit))
                throw Invalid(path, $"'unit' must be one of {string.Join(", ", Enum.GetNames<TextUnit>())}");
            var tokens = root.GetProperty("tokens").EnumerateArray().Select(t => t.GetString() ?? throw Invalid(path, "a token is null")).ToArray();
            if (!tokens.Take(SpecialTokens.Count).SequenceEqual(SpecialTokens.Names))
                throw Invalid(path, $"the vocabulary must start with the special tokens {string.Join(" ", SpecialTokens.Names)}");
            return new CharTokenizer(unit, tokens, path);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw Invalid(path, e.Message);
        }
    }

    private int CheckId(int id) => (uint)id < (uint)tokens.Length
        ? id
        : throw new IndexOutOfRangeModularException($"CharTokenizer: token id {id} is outside the vocabulary [0, {tokens.Length}).");

    private static DataFileException Invalid(string path, string problem) =>
        new($"'{path}' is not a CharTokenizer vocabulary: {problem}.", path);
}
