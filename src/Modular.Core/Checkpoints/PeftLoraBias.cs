namespace Modular.Checkpoints;

/// <summary>Which biases a PEFT LoRA adapter trains alongside its low-rank factors (PEFT's <c>bias</c> setting).</summary>
public enum PeftLoraBias
{
    /// <summary>No bias trains (<c>"none"</c>, PEFT's default).</summary>
    None,
    /// <summary>Every bias of the model trains and is saved with the adapter (<c>"all"</c>).</summary>
    All,
    /// <summary>Only the biases of the layers LoRA adapts train and are saved (<c>"lora_only"</c>).</summary>
    LoraOnly,
}

/// <summary>The adapter_config.json spelling of <see cref="PeftLoraBias"/>.</summary>
public static class PeftLoraBiases
{
    private static readonly string[] Names = ["none", "all", "lora_only"];

    /// <summary>The value PEFT writes, e.g. <c>"lora_only"</c>.</summary>
    public static string FileName(this PeftLoraBias bias) => Names[(int)bias];

    /// <summary>Parses a PEFT spelling; false for anything else.</summary>
    public static bool TryParse(string name, out PeftLoraBias bias)
    {
        int i = Array.IndexOf(Names, name);
        bias = i >= 0 ? (PeftLoraBias)i : default;
        return i >= 0;
    }

    /// <summary>Every spelling, for error messages.</summary>
    internal static string AllNames => string.Join(", ", Names.Select(n => $"\"{n}\""));
}
