using System.Globalization;

namespace Modular.Interactive.Notebook;

/// <summary>
/// The arguments of one magic command invocation, with typed accessors that reject bad values with a
/// <see cref="ConfigurationException"/> naming the valid ones.
/// </summary>
public sealed class MagicArguments
{
    private readonly IReadOnlyDictionary<string, string> values;
    private readonly Func<string, object?> lookup;

    internal MagicArguments(IReadOnlyDictionary<string, string> values, Func<string, object?> lookup)
    {
        this.values = values;
        this.lookup = lookup;
    }

    /// <summary>The raw value of <paramref name="parameter"/>, or null when it was not given.</summary>
    public string? this[string parameter] => values.TryGetValue(parameter, out string? value) ? value : null;

    /// <summary>The value of <paramref name="parameter"/>; fails with <paramref name="what"/> when it is missing.</summary>
    public string Required(string parameter, string what) =>
        this[parameter] ?? throw new ConfigurationException($"{parameter} is missing: give {what}.");

    /// <summary>The value of <paramref name="parameter"/> if it is one of <paramref name="allowed"/> (case-insensitive), else <paramref name="fallback"/> when absent.</summary>
    public string Choice(string parameter, IReadOnlyList<string> allowed, string fallback)
    {
        if (this[parameter] is not { } value) return fallback;
        return allowed.FirstOrDefault(a => string.Equals(a, value, StringComparison.OrdinalIgnoreCase))
            ?? throw new ConfigurationException($"{parameter} '{value}' is not valid; choose one of: {string.Join(", ", allowed)}.");
    }

    /// <summary>The whole number given for <paramref name="parameter"/>, at least <paramref name="minimum"/>; <paramref name="fallback"/> when absent.</summary>
    public int WholeNumber(string parameter, int minimum, int fallback)
    {
        if (this[parameter] is not { } text) return fallback;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= minimum
            ? value
            : throw new ConfigurationException($"{parameter} '{text}' is not valid; give a whole number ≥ {minimum}.");
    }

    /// <summary>The notebook variable named <paramref name="name"/>; fails when no variable has that name.</summary>
    public object Variable(string name) =>
        lookup(name) ?? throw new ConfigurationException($"No variable named '{name}' is defined (or it is null); run the cell that defines it first.");
}
