using System.Text.Json;
using System.Text.Unicode;

namespace Modular.Checkpoints;

/// <summary>
/// Reads and writes <c>adapter_config.json</c> as PEFT does: <c>PeftConfig.save_pretrained</c> writes
/// <c>json.dumps(asdict(config), indent=2, sort_keys=True)</c>, and <c>PeftModel.save_pretrained</c> sets
/// <c>inference_mode</c> to true in the saved copy.
/// </summary>
internal static class PeftLoraConfigJson
{
    public static PeftLoraConfig Read(string path)
    {
        using var document = Parse(File.ReadAllBytes(path), path);
        try
        {
            return Read(new Fields(path, document.RootElement));
        }
        catch (InvalidOperationException e)
        {
            // JsonElement.GetString refuses a "\uD800"-style escape of half a surrogate pair, which is valid JSON syntax.
            throw new CheckpointFormatException($"'{path}' is not a valid PEFT adapter config: a string escapes an unpaired UTF-16 surrogate.", e);
        }
    }

    private static PeftLoraConfig Read(Fields fields)
    {
        string? peftType = fields.OptionalString("peft_type");
        if (peftType != "LORA")
            throw fields.Invalid(peftType is null
                ? "has no \"peft_type\"; PEFT writes it into every adapter config"
                : $"is a PEFT {peftType} adapter; only LORA adapters can be imported");
        fields.RefuseIfTrue("use_dora", "DoRA adds a magnitude vector Modular's LoRA does not have");
        fields.RefuseIfTrue("lora_bias", "a bias on lora_B is not part of Modular's LoRA");
        fields.RefuseIfNonEmptyMap("alpha_pattern", "per-module alphas are not supported; fold them into the weights or use one lora_alpha");

        return new PeftLoraConfig
        {
            R = fields.PositiveInteger("r", 8),
            LoraAlpha = fields.Number("lora_alpha", 8),
            LoraDropout = fields.Probability("lora_dropout"),
            TargetModules = fields.TargetModules("target_modules"),
            Bias = fields.Bias("bias"),
            FanInFanOut = fields.Boolean("fan_in_fan_out"),
            UseRsLora = fields.Boolean("use_rslora"),
            ModulesToSave = fields.OptionalStringList("modules_to_save"),
            BaseModelNameOrPath = fields.OptionalString("base_model_name_or_path"),
            Revision = fields.OptionalString("revision"),
            TaskType = fields.OptionalString("task_type"),
        };
    }

    /// <summary>
    /// The config text PEFT would write for <paramref name="config"/>. <paramref name="rankPattern"/> maps the PEFT
    /// module paths whose rank differs from <see cref="PeftLoraConfig.R"/> to their rank, so PEFT builds layers of
    /// the right shape before loading the weights.
    /// </summary>
    public static string Serialize(PeftLoraConfig config, IReadOnlyDictionary<string, int> rankPattern)
    {
        config.Validate();
        var target = config.TargetModules;
        return JsonText.PythonDumps(new Dictionary<string, object?>
        {
            ["alpha_pattern"] = new Dictionary<string, object?>(),
            ["base_model_name_or_path"] = config.BaseModelNameOrPath,
            ["bias"] = config.Bias.FileName(),
            ["fan_in_fan_out"] = config.FanInFanOut,
            ["inference_mode"] = true,
            // PEFT types lora_alpha as int, so a whole number is written as one ("16", not "16.0").
            ["lora_alpha"] = config.LoraAlpha == Math.Round(config.LoraAlpha) && Math.Abs(config.LoraAlpha) <= int.MaxValue ? (object)(int)config.LoraAlpha : config.LoraAlpha,
            ["lora_dropout"] = config.LoraDropout,
            ["modules_to_save"] = config.ModulesToSave,
            ["peft_type"] = "LORA",
            ["r"] = config.R,
            ["rank_pattern"] = rankPattern.ToDictionary(p => p.Key, p => (object?)p.Value),
            ["revision"] = config.Revision,
            ["target_modules"] = target is null ? null : target.Pattern ?? (object)target.Names,
            ["task_type"] = config.TaskType,
            ["use_rslora"] = config.UseRsLora,
        });
    }

    private static JsonDocument Parse(byte[] bytes, string path)
    {
        if (!Utf8.IsValid(bytes)) throw new CheckpointFormatException($"'{path}' is not a valid PEFT adapter config: it is not UTF-8 text.");
        try
        {
            return JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException($"'{path}' is not a valid PEFT adapter config: it is not valid JSON ({e.Message}).", e);
        }
    }

    /// <summary>Typed access to the config's keys, each failure naming the file, the key, what was expected and what was found.</summary>
    private sealed class Fields
    {
        private readonly string path;
        private readonly JsonElement root;

        public Fields(string path, JsonElement root)
        {
            this.path = path;
            this.root = root;
            if (root.ValueKind != JsonValueKind.Object)
                throw Invalid($"must be a JSON object of settings, but it is {JsonText.Describe(root)}");
        }

        public CheckpointFormatException Invalid(string problem) =>
            new($"'{path}' is not a valid PEFT adapter config: it {problem}.");

        private CheckpointFormatException WrongType(string key, string expected, JsonElement value, string found = "it") =>
            new($"'{path}' is not a valid PEFT adapter config: \"{key}\" must be {expected}, but {found} is {JsonText.Describe(value)}.");

        private bool TryGet(string key, out JsonElement value) => root.TryGetProperty(key, out value);

        public string? OptionalString(string key)
        {
            if (!TryGet(key, out var value) || value.ValueKind == JsonValueKind.Null) return null;
            return value.ValueKind == JsonValueKind.String ? value.GetString() : throw WrongType(key, "a string or null", value);
        }

        public bool Boolean(string key)
        {
            if (!TryGet(key, out var value)) return false;
            return value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw WrongType(key, "true or false", value),
            };
        }

        public int PositiveInteger(string key, int absent)
        {
            if (!TryGet(key, out var value)) return absent;
            return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n) && n >= 1
                ? n
                : throw WrongType(key, "a positive integer", value);
        }

        public double Number(string key, double absent)
        {
            if (!TryGet(key, out var value)) return absent;
            return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double x) && double.IsFinite(x)
                ? x
                : throw WrongType(key, "a number", value);
        }

        public double Probability(string key)
        {
            if (!TryGet(key, out var value)) return 0;
            return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double p) && p is >= 0 and < 1
                ? p
                : throw WrongType(key, "a dropout probability in [0, 1)", value);
        }

        public PeftLoraBias Bias(string key)
        {
            if (!TryGet(key, out var value)) return PeftLoraBias.None;
            return value.ValueKind == JsonValueKind.String && PeftLoraBiases.TryParse(value.GetString()!, out var bias)
                ? bias
                : throw WrongType(key, $"one of {PeftLoraBiases.AllNames}", value);
        }

        public string[]? OptionalStringList(string key)
        {
            if (!TryGet(key, out var value) || value.ValueKind == JsonValueKind.Null) return null;
            return StringList(key, value);
        }

        public PeftTargetModules? TargetModules(string key)
        {
            if (!TryGet(key, out var value) || value.ValueKind == JsonValueKind.Null) return null;
            if (value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } pattern)
                return PeftTargetModules.FromPattern(pattern);
            if (value.ValueKind == JsonValueKind.Array) return PeftTargetModules.FromNames(StringList(key, value));
            throw WrongType(key, "a list of module names or a regular expression", value);
        }

        private string[] StringList(string key, JsonElement value)
        {
            if (value.ValueKind != JsonValueKind.Array) throw WrongType(key, "a list of module names", value);
            return value.EnumerateArray()
                .Select(item => item.ValueKind == JsonValueKind.String && item.GetString() is { Length: > 0 } name
                    ? name
                    : throw WrongType(key, "a list of non-empty module names", item, found: "one item"))
                .ToArray();
        }

        public void RefuseIfTrue(string key, string reason)
        {
            if (Boolean(key)) throw Invalid($"sets \"{key}\": true; {reason}");
        }

        public void RefuseIfNonEmptyMap(string key, string reason)
        {
            if (!TryGet(key, out var value) || value.ValueKind == JsonValueKind.Null) return;
            if (value.ValueKind != JsonValueKind.Object) throw WrongType(key, "an object", value);
            if (value.EnumerateObject().Any()) throw Invalid($"sets \"{key}\"; {reason}");
        }
    }
}
