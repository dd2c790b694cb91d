using System.Runtime.CompilerServices;

namespace Modular.Interactive.Notebook;

/// <summary>
/// Finds the text of a magic command in the cell it was submitted with. The kernel invokes a command's handler once
/// per line naming it, in order, so the n-th call for one submission reads the n-th such line; the count is kept per
/// submission object and goes away with it.
/// </summary>
internal static class CellDirectives
{
    private static readonly ConditionalWeakTable<object, Dictionary<string, int>> Seen = [];

    /// <summary>
    /// The arguments (the text after <paramref name="name"/>) of the next line of <paramref name="cellCode"/> that runs
    /// <paramref name="name"/>, or null when there is none. Without a <paramref name="submission"/> it is the first line.
    /// </summary>
    public static string? NextArguments(object? submission, string? cellCode, string name)
    {
        if (cellCode is null) return null;
        var lines = cellCode.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.StartsWith(name, StringComparison.Ordinal) && (l.Length == name.Length || char.IsWhiteSpace(l[name.Length])))
            .ToList();
        int index = 0;
        if (submission is not null)
        {
            var counts = Seen.GetOrCreateValue(submission);
            lock (counts)
            {
                index = counts.GetValueOrDefault(name);
                counts[name] = index + 1;
            }
        }
        return index < lines.Count ? lines[index][name.Length..].Trim() : null;
    }
}
