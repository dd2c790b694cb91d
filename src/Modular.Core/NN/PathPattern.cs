namespace Modular.NN;

/// <summary>
/// A glob over dotted module paths: <c>*</c> matches any characters within one segment, <c>**</c> any number of
/// whole segments (including none), <c>a|b</c> either alternative within a segment, and a comma separates
/// whole alternative patterns (<c>embeddings, layers.*.feedForward</c>).
/// </summary>
public sealed class PathPattern
{
    private readonly string[][] alternatives;

    /// <summary>Parses a pattern such as <c>layers.*.attention.query|value</c>.</summary>
    public PathPattern(string pattern)
    {
        if (string.IsNullOrWhiteSpace(pattern)) throw new ModulePathException("A module path pattern must not be empty; use '**' to match every module.");
        Text = pattern;
        alternatives = pattern.Split(',', StringSplitOptions.TrimEntries).Select(p => p.Split('.')).ToArray();
        if (alternatives.Any(a => a.Any(s => s.Length == 0))) throw new ModulePathException($"Module path pattern '{pattern}' has an empty segment (two dots or commas in a row, or a leading/trailing dot).");
    }

    /// <summary>The pattern as written.</summary>
    public string Text { get; }

    /// <summary>Whether <paramref name="path"/> matches the whole pattern.</summary>
    public bool IsMatch(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parts = path.Split('.');
        return alternatives.Any(segments => Match(segments, 0, parts, 0));
    }

    private static bool Match(string[] pattern, int i, string[] path, int j)
    {
        if (i == pattern.Length) return j == path.Length;
        if (pattern[i] == "**")
        {
            for (int k = j; k <= path.Length; k++) if (Match(pattern, i + 1, path, k)) return true;
            return false;
        }
        return j < path.Length && pattern[i].Split('|').Any(alt => SegmentMatches(alt, path[j])) && Match(pattern, i + 1, path, j + 1);
    }

    private static bool SegmentMatches(string glob, string name)
    {
        // '*' within a segment: classic two-pointer wildcard match
        int g = 0, n = 0, star = -1, mark = 0;
        while (n < name.Length)
        {
            if (g < glob.Length && (glob[g] == name[n] || glob[g] == '?')) { g++; n++; }
            else if (g < glob.Length && glob[g] == '*') { star = g++; mark = n; }
            else if (star >= 0) { g = star + 1; n = ++mark; }
            else return false;
        }
        while (g < glob.Length && glob[g] == '*') g++;
        return g == glob.Length;
    }

    /// <inheritdoc/>
    public override string ToString() => Text;
}
