namespace Modular.Checkpoints;

/// <summary>
/// The settings of a LoRA adapter as Hugging Face PEFT stores them in <c>adapter_config.json</c> (its
/// <c>LoraConfig</c>): the fields that decide what the adapter computes and where it attaches. Defaults are PEFT's.
/// </summary>
public sealed record PeftLoraConfig
{
    /// <summary>The rank r of the low-rank update (<c>r</c>); modules may differ, see <see cref="PeftLoraAdapter"/>.</summary>
    public int R { get; init; } = 8;

    /// <summary>The α of the scaling α / r (<c>lora_alpha</c>).</summary>
    public double LoraAlpha { get; init; } = 8;

    /// <summary>Dropout probability on the LoRA branch's input during training (<c>lora_dropout</c>).</summary>
    public double LoraDropout { get; init; }

    /// <summary>Which modules the adapter attaches to (<c>target_modules</c>); null lets PEFT choose by architecture.</summary>
    public PeftTargetModules? TargetModules { get; init; }

    /// <summary>Which biases train with the adapter (<c>bias</c>).</summary>
    public PeftLoraBias Bias { get; init; } = PeftLoraBias.None;

    /// <summary>Whether the adapted layers store their weight as [in × out], like GPT-2's Conv1D (<c>fan_in_fan_out</c>).</summary>
    public bool FanInFanOut { get; init; }

    /// <summary>Rank-stabilised LoRA: scale by α / √r instead of α / r (<c>use_rslora</c>).</summary>
    public bool UseRsLora { get; init; }

    /// <summary>Modules other than the LoRA layers that train fully and are saved with the adapter, e.g. a classifier head (<c>modules_to_save</c>).</summary>
    public IReadOnlyList<string>? ModulesToSave { get; init; }

    /// <summary>The base model the adapter was trained on (<c>base_model_name_or_path</c>).</summary>
    public string? BaseModelNameOrPath { get; init; }

    /// <summary>The base model's version (<c>revision</c>).</summary>
    public string? Revision { get; init; }

    /// <summary>PEFT's task type, e.g. <c>"SEQ_CLS"</c> or <c>"CAUSAL_LM"</c> (<c>task_type</c>).</summary>
    public string? TaskType { get; init; }

    /// <summary>The factor that multiplies B·A·x for a module of rank <paramref name="rank"/>: α / r, or α / √r with rsLoRA.</summary>
    public double Scaling(int rank)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        return UseRsLora ? LoraAlpha / Math.Sqrt(rank) : LoraAlpha / rank;
    }

    /// <summary>
    /// Reads an <c>adapter_config.json</c>. Unknown keys are ignored, as PEFT itself does for keys from newer
    /// versions; keys of the wrong type, a <c>peft_type</c> other than LORA, and settings that change what the
    /// weights mean but are not supported here (DoRA, LoRA biases, per-module alphas) are refused with
    /// <see cref="CheckpointFormatException"/> naming the file and the key.
    /// </summary>
    public static PeftLoraConfig Read(string path) => PeftLoraConfigJson.Read(path);

    /// <summary>Throws <see cref="ConfigurationException"/> when a value could not be written as a valid PEFT config.</summary>
    internal void Validate()
    {
        if (R < 1) throw new ConfigurationException($"PEFT LoRA config: r is {R}; the rank must be at least 1.");
        if (!double.IsFinite(LoraAlpha)) throw new ConfigurationException($"PEFT LoRA config: lora_alpha is {LoraAlpha}; it must be a finite number.");
        if (LoraDropout is < 0 or >= 1 || double.IsNaN(LoraDropout))
            throw new ConfigurationException($"PEFT LoRA config: lora_dropout is {LoraDropout}; a dropout probability lies in [0, 1).");
        if (ModulesToSave is not null && ModulesToSave.Any(string.IsNullOrEmpty))
            throw new ConfigurationException("PEFT LoRA config: modules_to_save contains an empty module name.");
    }
}
