namespace Modular.Reports;

/// <summary>Validation shared by reports that carry user-given names (labels, methods, runs).</summary>
internal static class Labels
{
    /// <summary>Copies <paramref name="labels"/>, rejecting a null list or null entries; <paramref name="kind"/> names them in the message.</summary>
    public static IReadOnlyList<string> Check(IReadOnlyList<string> labels, string kind)
    {
        ArgumentNullException.ThrowIfNull(labels);
        for (int i = 0; i < labels.Count; i++)
        {
            if (labels[i] is null) throw new ReportDataException($"The {kind} label at index {i} is null; give every {kind} a label (an empty string is allowed).");
        }
        return [.. labels];
    }

    /// <summary>Returns <paramref name="name"/> if it has visible text; otherwise explains what <paramref name="what"/> needs.</summary>
    public static string Required(string name, string what) =>
        string.IsNullOrWhiteSpace(name) ? throw new ReportDataException($"{what} needs a non-empty name.") : name;
}
