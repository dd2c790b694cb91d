namespace Modular.Checkpoints;

/// <summary>
/// PEFT's <c>target_modules</c>: either a set of module names — each selects the modules whose path equals it or
/// ends with "." + it — or one regular expression that must match a module's whole path.
/// </summary>
public sealed class PeftTargetModules
{
    private PeftTargetModules(IReadOnlyList<string> names, string? pattern)
    {
        Names = names;
        Pattern = pattern;
    }

    /// <summary>The module names, sorted and without duplicates (PEFT keeps them as a set); empty for a pattern.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The regular expression, or null when the targets are names.</summary>
    public string? Pattern { get; }

    /// <summary>Targets given by name, e.g. <c>FromNames("query", "value")</c>.</summary>
    public static PeftTargetModules FromNames(params IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var set = names.Distinct(StringComparer.Ordinal).Order(JsonText.CodePointOrder).ToArray();
        if (set.Any(string.IsNullOrEmpty)) throw new ArgumentException("Target module names must not be empty.", nameof(names));
        return new PeftTargetModules(set, null);
    }

    /// <summary>Targets given by one regular expression over module paths (PEFT also accepts the keyword "all-linear" here).</summary>
    public static PeftTargetModules FromPattern(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        return new PeftTargetModules([], pattern);
    }

    /// <inheritdoc/>
    public override string ToString() => Pattern ?? $"[{string.Join(", ", Names)}]";
}
