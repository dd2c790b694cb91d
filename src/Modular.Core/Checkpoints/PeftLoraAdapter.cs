using System.Text;
using Modular.IO;
using Modular.Tensors;

namespace Modular.Checkpoints;

/// <summary>
/// A LoRA adapter in Hugging Face PEFT's directory layout — <c>adapter_config.json</c> beside
/// <c>adapter_model.safetensors</c> — so adapters move between Modular and the PyTorch ecosystem. Module paths
/// are Modular's; a path-mapping function translates them where the two models name their layers differently.
/// </summary>
/// <example>
/// <code>
/// var adapter = PeftLoraAdapter.Read("out/sst2-lora");
/// foreach (var lora in adapter.Weights)
///     Console.WriteLine($"{lora.ModulePath}: r={lora.Rank}, scale={adapter.Config.Scaling(lora.Rank)}");
///
/// new PeftLoraAdapter(new PeftLoraConfig { R = 8, LoraAlpha = 16, TargetModules = PeftTargetModules.FromNames("query", "value") },
///                     weights)
///     .Write("out/exported", toPeftPath: path => "encoder." + path);
/// </code>
/// </example>
public sealed class PeftLoraAdapter
{
    /// <summary>The config file's name inside an adapter directory.</summary>
    public const string ConfigFileName = "adapter_config.json";

    /// <summary>The weights file's name inside an adapter directory.</summary>
    public const string WeightsFileName = "adapter_model.safetensors";

    // The metadata PEFT's save_pretrained gives safetensors; Hugging Face loaders read it to tell PyTorch weights from other frameworks'.
    private static readonly Dictionary<string, string> PeftWeightsMetadata = new() { ["format"] = "pt" };

    /// <summary>
    /// Bundles an adapter. <paramref name="savedParameters"/> maps parameter paths (e.g. <c>classifier.weight</c>)
    /// to full tensors saved with it: the modules in <c>modules_to_save</c> and biases trained under <c>bias</c>.
    /// </summary>
    public PeftLoraAdapter(PeftLoraConfig config, IReadOnlyList<LoraWeights> weights, IReadOnlyDictionary<string, Tensor>? savedParameters = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(weights);
        var duplicate = weights.GroupBy(w => w.ModulePath, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"Two LoRA weight pairs are given for module '{duplicate.Key}'; an adapter holds one per module.", nameof(weights));
        Config = config;
        Weights = weights;
        SavedParameters = savedParameters ?? new Dictionary<string, Tensor>();
        var notAParameter = SavedParameters.Keys.FirstOrDefault(p => !IsParameterPath(p));
        if (notAParameter is not null)
            throw new ArgumentException($"Saved parameter '{notAParameter}' is not a parameter path of the form <module path>.<parameter>.", nameof(savedParameters));
    }

    /// <summary>The adapter's settings.</summary>
    public PeftLoraConfig Config { get; }

    /// <summary>The LoRA factors, one pair per adapted module.</summary>
    public IReadOnlyList<LoraWeights> Weights { get; }

    /// <summary>Full parameters saved with the adapter, by parameter path.</summary>
    public IReadOnlyDictionary<string, Tensor> SavedParameters { get; }

    /// <summary>
    /// Reads the adapter in <paramref name="directory"/>. <paramref name="toModularPath"/> maps each PEFT module path
    /// (the key without <c>base_model.model.</c> and the LoRA suffix) to the Modular module path; the identity when null.
    /// Throws <see cref="CheckpointFormatException"/> for a missing file, an invalid config or weights file, a key
    /// outside PEFT's LoRA layout, an A without its B, or factors whose shapes do not pair up; and
    /// <see cref="NonFiniteValueException"/> for a NaN or infinite weight unless <paramref name="allowNonFinite"/>.
    /// </summary>
    public static PeftLoraAdapter Read(string directory, Func<string, string>? toModularPath = null, bool allowNonFinite = false)
    {
        string configPath = Path.Combine(directory, ConfigFileName), weightsPath = Path.Combine(directory, WeightsFileName);
        RequireFile(configPath, "");
        RequireFile(weightsPath, File.Exists(Path.Combine(directory, "adapter_model.bin"))
            ? " It holds adapter_model.bin, a pickle Modular does not read; save the adapter with safe_serialization=True."
            : "");

        var config = PeftLoraConfig.Read(configPath);
        var file = SafeTensorsFile.Read(weightsPath);
        Dictionary<string, Tensor> down = new(StringComparer.Ordinal), up = new(StringComparer.Ordinal), parameters = new(StringComparer.Ordinal);
        foreach (var name in file.Names)
        {
            var key = PeftLoraKeys.Parse(name, weightsPath);
            var (destination, path) = key.Kind switch
            {
                PeftTensorKind.LoraA => (down, key.Path),
                PeftTensorKind.LoraB => (up, key.Path),
                _ => (parameters, MapParameterPath(key.Path, toModularPath)),
            };
            if (!destination.TryAdd(path, file.Get(name, allowNonFinite)))
                throw new ArgumentException($"The path mapping sends '{key.Path}' to '{path}', where another parameter already went.", nameof(toModularPath));
        }

        var weights = new List<LoraWeights>(down.Count);
        foreach (string peftPath in down.Keys.Union(up.Keys).Order(JsonText.CodePointOrder))
        {
            if (!down.TryGetValue(peftPath, out var a) || !up.TryGetValue(peftPath, out var b))
                throw new CheckpointFormatException(
                    $"'{weightsPath}' holds {(down.ContainsKey(peftPath) ? "lora_A but no lora_B" : "lora_B but no lora_A")} for module '{peftPath}'; every LoRA layer needs both factors.");
            try
            {
                weights.Add(new LoraWeights(MapModulePath(peftPath, toModularPath), a, b));
            }
            catch (ShapeMismatchException e)
            {
                throw new CheckpointFormatException($"'{weightsPath}' is not a valid LoRA adapter: {e.Message}", e);
            }
        }
        return new PeftLoraAdapter(config, weights, parameters);
    }

    /// <summary>
    /// Writes the adapter into <paramref name="directory"/> (created if needed) as PEFT's <c>save_pretrained</c>
    /// does: F32 weights with metadata <c>{"format": "pt"}</c>, and the config with a <c>rank_pattern</c> entry for
    /// every module whose rank differs from <see cref="PeftLoraConfig.R"/>. <paramref name="toPeftPath"/> maps
    /// Modular module paths to the PEFT model's; the identity when null. Both files are written to temporary
    /// files first and renamed into place only when both are complete, the config last.
    /// </summary>
    public void Write(string directory, Func<string, string>? toPeftPath = null)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        var rankPattern = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var lora in Weights)
        {
            string path = MapModulePath(lora.ModulePath, toPeftPath);
            tensors.Add(new(PeftLoraKeys.LoraA(path), lora.A));
            tensors.Add(new(PeftLoraKeys.LoraB(path), lora.B));
            if (lora.Rank != Config.R) rankPattern[path] = lora.Rank;
        }
        foreach (var (parameterPath, tensor) in SavedParameters)
            tensors.Add(new(PeftLoraKeys.Parameter(MapParameterPath(parameterPath, toPeftPath)), tensor));

        byte[] configText = Encoding.UTF8.GetBytes(PeftLoraConfigJson.Serialize(Config, rankPattern));
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAll(
        [
            (Path.Combine(directory, WeightsFileName), stream => SafeTensorsFile.Write(stream, tensors, PeftWeightsMetadata)),
            (Path.Combine(directory, ConfigFileName), stream => stream.Write(configText)),
        ]);
    }

    private static bool IsParameterPath(string path)
    {
        int dot = path.LastIndexOf('.');
        return dot > 0 && dot < path.Length - 1;
    }

    private static void RequireFile(string path, string hint)
    {
        if (!File.Exists(path))
            throw new CheckpointFormatException(
                $"'{Path.GetDirectoryName(path)}' is not a PEFT adapter directory: it has no {Path.GetFileName(path)} (a PEFT LoRA adapter holds {ConfigFileName} and {WeightsFileName}).{hint}");
    }

    private static string MapModulePath(string path, Func<string, string>? map)
    {
        if (map is null) return path;
        string mapped = map(path);
        return string.IsNullOrEmpty(mapped)
            ? throw new ArgumentException($"The path mapping returned no path for module '{path}'.", nameof(map))
            : mapped;
    }

    // The mapping translates module paths; a parameter keeps its own name (weight, bias) after its module's path.
    private static string MapParameterPath(string parameterPath, Func<string, string>? map)
    {
        int dot = parameterPath.LastIndexOf('.');
        return MapModulePath(parameterPath[..dot], map) + parameterPath[dot..];
    }
}
