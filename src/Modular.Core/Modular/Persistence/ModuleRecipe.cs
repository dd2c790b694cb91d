using System.Text.Json;
using System.Text.Json.Nodes;

namespace Modular;

/// <summary>
/// A module recipe as data: the kind of <see cref="IModuleSpec"/> and the hyper-parameters that recreate it, e.g.
/// <c>LoRA {"rank":8,"alpha":16,"dropout":0}</c>. Module files store it so that loading re-attaches the same recipe;
/// <see cref="ModuleRecipes"/> converts between specs and recipes.
/// </summary>
public sealed class ModuleRecipe
{
    private readonly JsonObject settings;

    /// <summary>A recipe of <paramref name="kind"/> with the given settings; <paramref name="source"/> (a file) is named in errors.</summary>
    public ModuleRecipe(string kind, JsonObject settings, string source = "")
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(settings);
        Kind = kind;
        this.settings = settings;
        Source = source;
        // Written out once here, so that settings no JSON writer can write (a string escaping half a surrogate pair)
        // fail where the recipe is read, inside the reader's error handling, not later in a message or a save.
        SettingsJson = settings.ToJsonString();
    }

    /// <summary>The spec's kind: the name of its type, e.g. <c>LoRA</c>.</summary>
    public string Kind { get; }

    /// <summary>Where the recipe was read from, for errors; empty for a recipe made in memory.</summary>
    public string Source { get; }

    /// <summary>The settings as compact JSON, e.g. <c>{"rank":8,"alpha":16,"dropout":0}</c>.</summary>
    public string SettingsJson { get; }

    /// <summary>An integer setting.</summary>
    public int WholeNumber(string name) => Read(name, "an integer", node => node.GetValue<int>());

    /// <summary>A number setting; one beyond float's range (e.g. 1e39, which reads as infinity) is a <see cref="ConfigurationException"/>.</summary>
    public float Number(string name)
    {
        float value = Read(name, "a number", node => node.GetValue<float>());
        if (!float.IsFinite(value))
            throw new ConfigurationException($"{(Source.Length == 0 ? "" : $"'{Source}': ")}the {Kind} recipe setting '{name}' is {settings[name]?.ToJsonString()}, which is beyond float's range (±3.4e38) and reads as {value}; set a finite value.");
        return value;
    }

    /// <summary>A true/false setting.</summary>
    public bool Flag(string name) => Read(name, "true or false", node => node.GetValue<bool>());

    /// <summary>A text setting.</summary>
    public string Text(string name) => Read(name, "a string", node => node.GetValue<string>());

    /// <summary>A setting naming a member of <typeparamref name="TEnum"/>.</summary>
    public TEnum Choice<TEnum>(string name) where TEnum : struct, Enum => Read(name, $"one of {string.Join(", ", System.Enum.GetNames<TEnum>())}",
        node => System.Enum.TryParse<TEnum>(node.GetValue<string>(), out var value) && System.Enum.IsDefined(value) ? value : throw new FormatException());

    /// <summary>A list of integers, or null when the setting is null.</summary>
    public IReadOnlyList<int>? WholeNumbers(string name) => Read(name, "a list of integers or null",
        node => node is null ? null : (IReadOnlyList<int>)node.AsArray().Select(item => item?.GetValue<int>() ?? throw new FormatException()).ToArray(), allowNull: true);

    private T Read<T>(string name, string expected, Func<JsonNode, T> parse, bool allowNull = false)
    {
        if (!settings.TryGetPropertyValue(name, out var node))
            throw Invalid($"has no setting '{name}' (it has: {(settings.Count == 0 ? "none" : string.Join(", ", settings.Select(s => s.Key)))})");
        try
        {
            if (node is null && !allowNull) throw new FormatException();
            return parse(node!);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or JsonException or OverflowException)
        {
            throw Invalid($"setting '{name}' is {node?.ToJsonString() ?? "null"}; expected {expected}");   // writable: checked in the constructor
        }
    }

    private CheckpointFormatException Invalid(string problem) =>
        new($"{(Source.Length == 0 ? "" : $"'{Source}': ")}the {Kind} recipe {problem}.");

    /// <inheritdoc/>
    public override string ToString() => $"{Kind} {SettingsJson}";
}
