using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Modular.Checkpoints;

namespace Modular;

/// <summary>One module in a module file: its name, method, recipe and the host layers it was attached to, in order.</summary>
internal sealed record ModuleFileEntry(string Name, string Method, ModuleRecipe Recipe, IReadOnlyList<string> Hosts);

/// <summary>
/// What a module file records beside its tensors, in the safetensors <c>__metadata__</c> map: the modules and their
/// recipes, the base layers saved with them, and the base model they were trained on (for error messages when a
/// file meets a different base).
/// </summary>
internal sealed record ModuleFileHeader(IReadOnlyList<ModuleFileEntry> Modules, IReadOnlyList<string> BaseTensors, string BaseType, long BaseParameters)
{
    private const string FormatKey = "modular.format";
    private const string Format = "modules/1";
    private const string ModulesKey = "modular.modules";
    private const string BaseKey = "modular.base";

    /// <summary>The base model as error messages describe it: "a TransformerClassifier with 3,431,938 parameters".</summary>
    public string BaseDescription => Describe(BaseType, BaseParameters);

    /// <summary>"a TransformerClassifier with 3,431,938 parameters".</summary>
    public static string Describe(string type, long parameters) => string.Create(CultureInfo.InvariantCulture, $"a {type} with {parameters:N0} parameters");

    /// <summary>The metadata map to write.</summary>
    public Dictionary<string, string> ToMetadata() => new(StringComparer.Ordinal)
    {
        [FormatKey] = Format,
        [BaseKey] = new JsonObject
        {
            ["type"] = BaseType,
            ["parameters"] = BaseParameters,
            ["tensors"] = Strings(BaseTensors),
        }.ToJsonString(),
        [ModulesKey] = new JsonArray([.. Modules.Select(m => (JsonNode)new JsonObject
        {
            ["name"] = m.Name,
            ["method"] = m.Method,
            ["kind"] = m.Recipe.Kind,
            ["settings"] = JsonNode.Parse(m.Recipe.SettingsJson),
            ["hosts"] = Strings(m.Hosts),
        })]).ToJsonString(),
    };

    /// <summary>Reads the header of <paramref name="file"/>; a file without one, or with a malformed one, is a <see cref="CheckpointFormatException"/>.</summary>
    public static ModuleFileHeader Read(SafeTensors file)
    {
        string source = file.Source;
        if (!file.Metadata.TryGetValue(FormatKey, out var format))
            throw new CheckpointFormatException($"'{source}' is not a Modular module file: its metadata has no '{FormatKey}' entry, which SaveModule writes. A PEFT adapter directory is read with ImportPeft.");
        if (format != Format)
            throw new CheckpointFormatException($"'{source}' is a Modular module file of format '{format}'; this version reads '{Format}'.");
        try
        {
            var baseModel = Parse(file, BaseKey).AsObject();
            var modules = Parse(file, ModulesKey).AsArray().Select(node => Present(node, "a module entry").AsObject()).Select(m => new ModuleFileEntry(
                Name: Text(m, "name"),
                Method: Text(m, "method"),
                Recipe: new ModuleRecipe(Text(m, "kind"), Required(m, "settings").AsObject(), source),
                Hosts: Strings(Required(m, "hosts")))).ToList();
            if (modules.Count == 0) throw new FormatException("it lists no modules");
            if (modules.GroupBy(m => m.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
                throw new FormatException($"it lists the module '{twice.Key}' twice");
            foreach (var module in modules)
                if (module.Hosts.GroupBy(h => h, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } host)
                    throw new FormatException($"module '{module.Name}' lists the host layer '{host.Key}' twice");
            var baseTensors = Strings(Required(baseModel, "tensors"));
            if (baseTensors.GroupBy(t => t, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } repeated)
                throw new FormatException($"'{BaseKey}' lists the base tensor '{repeated.Key}' twice");
            return new ModuleFileHeader(modules, baseTensors, Text(baseModel, "type"), Required(baseModel, "parameters").GetValue<long>());
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or JsonException)
        {
            throw new CheckpointFormatException($"'{source}' has a malformed Modular header ({e.Message}); the file was not written by SaveModule or was edited.", e);
        }
    }

    // A repeated key ("name" twice) is refused while parsing, as PEFT configs are: which of the two was meant is unknowable.
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    private static JsonNode Parse(SafeTensors file, string key) =>
        Present(file.Metadata.TryGetValue(key, out var text) ? JsonNode.Parse(text, documentOptions: Strict) : throw new FormatException($"the metadata has no '{key}'"), $"'{key}'");

    private static JsonNode Required(JsonObject node, string key) => Present(node[key], $"'{key}'");

    private static string Text(JsonObject node, string key) =>
        Required(node, key).GetValue<string>() is { Length: > 0 } text ? text : throw new FormatException($"'{key}' is an empty string");

    private static JsonNode Present(JsonNode? node, string what) => node ?? throw new FormatException($"{what} is missing or null");

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)v)]);

    private static List<string> Strings(JsonNode node) => node.AsArray().Select(item => Present(item, "a list item").GetValue<string>()).ToList();
}
