namespace Modular.Checkpoints;

/// <summary>What a tensor in a PEFT LoRA <c>adapter_model.safetensors</c> holds.</summary>
public enum PeftTensorKind
{
    /// <summary>The A factor of a LoRA layer (<c>…lora_A.weight</c>).</summary>
    LoraA,
    /// <summary>The B factor of a LoRA layer (<c>…lora_B.weight</c>).</summary>
    LoraB,
    /// <summary>A full parameter saved with the adapter: a module in <c>modules_to_save</c>, or a bias trained under <c>bias</c>.</summary>
    Parameter,
}

/// <summary>A parsed PEFT tensor key: its kind and the path in the base model (a module path for LoRA factors, a parameter path otherwise).</summary>
/// <param name="Kind">What the tensor holds.</param>
/// <param name="Path">The module path (LoRA factors) or parameter path, e.g. <c>classifier.weight</c> (saved parameters).</param>
public readonly record struct PeftTensorKey(PeftTensorKind Kind, string Path);

/// <summary>
/// The key layout of PEFT's LoRA weights file: <c>base_model.model.&lt;module path&gt;.lora_A.weight</c> [r × in],
/// <c>base_model.model.&lt;module path&gt;.lora_B.weight</c> [out × r], and <c>base_model.model.&lt;parameter path&gt;</c>
/// for the full parameters saved beside them (PEFT strips the adapter name and <c>modules_to_save.</c> from keys).
/// </summary>
public static class PeftLoraKeys
{
    /// <summary>The prefix of every key: PEFT's model wrapper and the LoRA tuner around the base model.</summary>
    public const string Prefix = "base_model.model.";

    private const string LoraASuffix = ".lora_A.weight";
    private const string LoraBSuffix = ".lora_B.weight";

    /// <summary>The key of the A factor of the layer at <paramref name="modulePath"/>.</summary>
    public static string LoraA(string modulePath) => Prefix + modulePath + LoraASuffix;

    /// <summary>The key of the B factor of the layer at <paramref name="modulePath"/>.</summary>
    public static string LoraB(string modulePath) => Prefix + modulePath + LoraBSuffix;

    /// <summary>The key of a full parameter saved with the adapter, e.g. <c>classifier.weight</c>.</summary>
    public static string Parameter(string parameterPath) => Prefix + parameterPath;

    /// <summary>
    /// Parses a key of a PEFT LoRA weights file; throws <see cref="CheckpointFormatException"/> naming
    /// <paramref name="source"/> for keys outside the layout or LoRA tensors of kinds Modular does not import
    /// (DoRA magnitudes, embedding or convolution LoRA, LoRA biases).
    /// </summary>
    public static PeftTensorKey Parse(string key, string source)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!key.StartsWith(Prefix, StringComparison.Ordinal))
            throw Invalid(source, key, $"does not start with '{Prefix}' as every key PEFT writes does");
        string rest = key[Prefix.Length..];

        var parsed = rest.EndsWith(LoraASuffix, StringComparison.Ordinal) ? new PeftTensorKey(PeftTensorKind.LoraA, rest[..^LoraASuffix.Length])
            : rest.EndsWith(LoraBSuffix, StringComparison.Ordinal) ? new PeftTensorKey(PeftTensorKind.LoraB, rest[..^LoraBSuffix.Length])
            : new PeftTensorKey(PeftTensorKind.Parameter, rest);
        var segments = parsed.Path.Split('.');
        if (segments.Any(s => s.StartsWith("lora_", StringComparison.Ordinal)))
            throw Invalid(source, key, "holds a kind of LoRA tensor Modular does not import; it reads lora_A.weight and lora_B.weight of linear layers (no DoRA magnitude vectors, lora_embedding_A/B or LoRA biases)");
        if (segments.Any(string.IsNullOrEmpty) || (parsed.Kind == PeftTensorKind.Parameter && segments.Length < 2))
            throw Invalid(source, key, parsed.Kind == PeftTensorKind.Parameter
                ? "names no parameter of a module: expected base_model.model.<module path>.<parameter>"
                : "names no module: expected base_model.model.<module path>.lora_A.weight");
        return parsed;
    }

    private static CheckpointFormatException Invalid(string source, string key, string problem) =>
        new($"'{source}' is not a PEFT LoRA weights file Modular can import: key '{key}' {problem}.");
}
