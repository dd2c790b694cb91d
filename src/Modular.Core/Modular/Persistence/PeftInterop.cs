using System.Globalization;
using Modular.Checkpoints;
using Modular.Computation;
using Modular.NN;
using Modular.Tensors;
using Modular.Tensors.Autograd;

namespace Modular;

/// <summary>
/// LoRA modules exchanged with Hugging Face PEFT (<c>adapter_config.json</c> + <c>adapter_model.safetensors</c>, see
/// <see cref="PeftLoraAdapter"/>), so that work moves between Modular and the PyTorch ecosystem. A path mapping
/// translates module paths where the PyTorch model names its layers differently.
/// </summary>
/// <example>
/// <code>
/// // our "layers.0.attention.query" is "encoder.layer.0.attention.self.query" in the PyTorch model
/// model.ExportPeft("sentiment", "out/sentiment", baseModelName: "my-encoder", pathMapping: p => "encoder." + p);
/// fresh.ImportPeft("out/sentiment", "sentiment", pathMapping: p => p["encoder.".Length..]);
/// </code>
/// </example>
public static class PeftInterop
{
    /// <summary>
    /// Writes LoRA module <paramref name="name"/> as a PEFT adapter into <paramref name="directory"/>.
    /// <paramref name="pathMapping"/> maps Modular module paths to the PEFT model's (identity when null);
    /// <paramref name="modulesToSave"/> are base layers saved in full beside the LoRA factors (e.g. <c>head</c>, PEFT's
    /// <c>modules_to_save</c>); <paramref name="taskType"/> is PEFT's task type, e.g. <c>SEQ_CLS</c>.
    /// </summary>
    public static ModularModel ExportPeft(this ModularModel model, string name, string directory, string? baseModelName = null,
        Func<string, string>? pathMapping = null, IReadOnlyList<string>? modulesToSave = null, string? taskType = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var module = model.Get(name);
        if (module.Parts.Count == 0 || module.Parts.Any(p => p.Module is not LoRAModule))
            throw new ConfigurationException($"ExportPeft: '{name}' is a {module.Method} module; only LoRA modules export to PEFT's LoRA format.");
        var loras = module.Parts.Select(p => (p.Site.HostPath, Lora: (LoRAModule)p.Module)).ToList();
        // PEFT has one lora_alpha; ranks may differ per layer (rank_pattern) but then scale = α / rank must hold for each.
        var alphas = loras.Select(p => p.Lora.Scale * p.Lora.Rank).Distinct().ToList();
        if (alphas.Count > 1)
            throw new ConfigurationException($"ExportPeft: the layers of '{name}' have scales that no single lora_alpha gives (α = scale·r is {string.Join(", ", alphas)}).");
        int rank = loras.GroupBy(p => p.Lora.Rank).MaxBy(g => g.Count())!.Key;

        string Mapped(string path) => pathMapping?.Invoke(path) ?? path;
        var hostPaths = loras.Select(p => p.HostPath).ToList();
        var saved = (modulesToSave ?? []).SelectMany(pattern =>
        {
            var parameters = model.BaseParametersIn(pattern);
            return parameters.Count > 0 ? parameters
                : throw new ModulePathException($"ExportPeft: modulesToSave entry '{pattern}' matches no layer of the base model that has parameters.");
        }).ToList();
        var config = new PeftLoraConfig
        {
            R = rank,
            LoraAlpha = Shortest(alphas[0]),
            LoraDropout = Shortest(loras[0].Lora.Dropout),
            TargetModules = PeftTargetModules.FromNames(LastNamesSelectExactly(model, hostPaths) ? hostPaths.Select(p => LastName(Mapped(p))) : hostPaths.Select(Mapped)),
            ModulesToSave = modulesToSave is null ? null : [.. saved.Select(p => Mapped(p.Path[..p.Path.LastIndexOf('.')])).Distinct()],
            BaseModelNameOrPath = baseModelName,
            TaskType = taskType,
        };
        var weights = loras.Select(p => new LoraWeights(p.HostPath, p.Lora.A, p.Lora.B)).ToList();
        new PeftLoraAdapter(config, weights, saved.ToDictionary(p => p.Path, p => (Tensor)p.Parameter)).Write(directory, pathMapping);
        return model;
    }

    /// <summary>
    /// Reads the PEFT LoRA adapter in <paramref name="directory"/> and attaches it as a LoRA module named
    /// <paramref name="name"/>, with PEFT's scale (α / r, or α / √r with rsLoRA). <paramref name="pathMapping"/> maps the
    /// PEFT model's module paths to Modular's (identity when null). Full parameters saved with the adapter (its
    /// <c>modules_to_save</c>, biases trained under <c>bias</c>) are copied into the base model. Layers missing from
    /// the base or of another size are refused before anything changes, and so are NaN or infinite weights
    /// (<see cref="NonFiniteValueException"/>) unless <paramref name="allowNonFinite"/> is true.
    /// </summary>
    public static AttachedModule ImportPeft(this ModularModel model, string directory, string name, Func<string, string>? pathMapping = null, bool allowNonFinite = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        var adapter = PeftLoraAdapter.Read(directory, pathMapping, allowNonFinite);
        var ranks = adapter.Weights.Select(w => w.Rank).Distinct().ToList();
        if (ranks.Count != 1)
            throw new ConfigurationException($"ImportPeft: '{directory}' {(ranks.Count == 0 ? "holds no LoRA weights" : $"has layers of different ranks ({string.Join(", ", ranks)}); Modular's LoRA modules have one rank")}.");
        int rank = ranks[0];

        var layers = model.Base.NamedModules().Where(e => e.Path.Length > 0 && !model.IsInsideSite(e.Module)).ToDictionary(e => e.Path, e => e.Module, StringComparer.Ordinal);
        var missing = adapter.Weights.Where(w => !layers.ContainsKey(w.ModulePath)).Select(w => $"'{w.ModulePath}'").ToList();
        if (missing.Count > 0)
            throw new ModulePathException($"ImportPeft: '{directory}' adapts {string.Join(", ", missing.Take(3))}{(missing.Count > 3 ? $" and {missing.Count - 3} more" : "")}, which this base model does not have{(pathMapping is null ? "; pass a pathMapping from the PEFT model's paths to this model's" : " after the path mapping")}. Layers look like: {string.Join(", ", layers.Keys.Take(6))}.");
        var misfits = adapter.Weights.Where(w => layers[w.ModulePath] is Linear linear && (linear.InFeatures != w.InFeatures || linear.OutFeatures != w.OutFeatures))
            .Select(w => $"'{w.ModulePath}' is {((Linear)layers[w.ModulePath]).InFeatures} → {((Linear)layers[w.ModulePath]).OutFeatures} here but {w.InFeatures} → {w.OutFeatures} in the adapter").ToList();
        if (misfits.Count > 0)
            throw new ShapeMismatchException($"ImportPeft: '{directory}' was trained on a base of other sizes: {string.Join("; ", misfits.Take(3))}.");
        var baseParameters = model.Base.NamedParameters().ToDictionary(e => e.Path, e => e.Parameter, StringComparer.Ordinal);
        foreach (var (path, tensor) in adapter.SavedParameters)
        {
            if (!baseParameters.TryGetValue(path, out var parameter))
                throw new ModulePathException($"ImportPeft: '{directory}' saves the parameter '{path}' (modules_to_save or a trained bias), which this base model does not have.");
            if (parameter.Shape != tensor.Shape)
                throw new ShapeMismatchException($"ImportPeft: '{directory}' saves '{path}' as {tensor.Shape}, but this base model's is {parameter.Shape}.");
        }

        float alpha = (float)(adapter.Config.Scaling(rank) * rank);
        model.AttachAt([.. adapter.Weights.Select(w => (w.ModulePath, layers[w.ModulePath]))], new LoRA(rank, alpha, (float)adapter.Config.LoraDropout), name);
        var module = model.Get(name);
        using (GradMode.NoGrad())
        {
            foreach (var ((_, part), weights) in module.Parts.Zip(adapter.Weights))
            {
                var lora = (LoRAModule)part;
                lora.A.Assign(weights.A);
                lora.B.Assign(weights.B);
            }
            foreach (var (path, tensor) in adapter.SavedParameters) baseParameters[path].Assign(tensor);
        }
        return module;
    }

    /// <summary>
    /// Whether the layers' last names (<c>query</c>, <c>value</c>) select exactly these linear layers of the base model:
    /// then they make PEFT's target_modules, else the full paths do (PEFT matches a name against the end of each path).
    /// </summary>
    private static bool LastNamesSelectExactly(ModularModel model, IReadOnlyList<string> hostPaths)
    {
        var names = hostPaths.Select(LastName).ToHashSet(StringComparer.Ordinal);
        return model.Base.NamedModules().Count(e => e.Module is Linear && names.Contains(LastName(e.Path)) && !model.IsInsideSite(e.Module)) == hostPaths.Count;
    }

    /// <summary>The double that prints like the float: 0.05f becomes 0.05 in the config, not 0.05000000074505806.</summary>
    private static double Shortest(float value) => double.Parse(value.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string LastName(string path) => path[(path.LastIndexOf('.') + 1)..];
}
