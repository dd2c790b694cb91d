using Modular.Checkpoints;
using Modular.NN;
using Modular.Tensors;
using Modular.Tensors.Autograd;

namespace Modular;

/// <summary>
/// Saving modules without their base model, and loading them back: a module file is a safetensors file holding the
/// modules' tensors under their paths in the model (e.g. <c>layers.0.attention.query.modules.sentiment.A</c>) and, in
/// its metadata, each module's recipe and host layers, so that loading re-attaches the same modules to a fresh copy of
/// the same base model and fills in their weights. Files are written atomically.
/// </summary>
/// <example>
/// <code>
/// model.SaveModule("sentiment", "sentiment.safetensors", "head");   // the LoRA module and the classifier head trained with it
///
/// var fresh = TransformerClassifier.Create(vocab: 1000, dModel: 256, layers: 4, heads: 4, ff: 1024, classes: 2).WithModules();
/// fresh.LoadModule("sentiment.safetensors");                       // attached as "sentiment", weights and head loaded
/// </code>
/// </example>
public static class ModuleFiles
{
    /// <summary>
    /// Writes module <paramref name="name"/> to <paramref name="path"/>, with the parameters of the base layers
    /// matching <paramref name="baseLayers"/> (e.g. a classifier head trained with it), which loading copies into the base.
    /// </summary>
    public static ModularModel SaveModule(this ModularModel model, string name, string path, params string[] baseLayers) =>
        SaveModules(model, [name], path, baseLayers);

    /// <summary>Writes several modules into one file (see <see cref="SaveModule"/>).</summary>
    public static ModularModel SaveModules(this ModularModel model, IReadOnlyList<string> names, string path, params string[] baseLayers)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var (tensors, header) = Contents(model, names, baseLayers);
        SafeTensorsFile.Write(path, tensors, header.ToMetadata());
        return model;
    }

    /// <summary>
    /// Loads the one module in <paramref name="path"/>: attaches it (as <paramref name="name"/>, or under its saved
    /// name) with its saved recipe at its saved host layers, then loads its weights and any base layers saved with it.
    /// A file from a different base model is refused with the layers or shapes that differ, and so is a NaN or infinite
    /// weight (<see cref="NonFiniteValueException"/>, unless <paramref name="allowNonFinite"/>); the model is left as it was.
    /// </summary>
    public static AttachedModule LoadModule(this ModularModel model, string path, string? name = null, bool allowNonFinite = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        var file = SafeTensorsFile.Read(path);
        var header = ModuleFileHeader.Read(file);
        if (header.Modules.Count != 1)
            throw new ConfigurationException($"'{path}' holds {header.Modules.Count} modules ({string.Join(", ", header.Modules.Select(m => m.Name))}); load them together with LoadModules.");
        return Load(model, file, header, name, allowNonFinite)[0];
    }

    /// <summary>Loads every module in <paramref name="path"/> under its saved name (see <see cref="LoadModule"/>).</summary>
    public static IReadOnlyList<AttachedModule> LoadModules(this ModularModel model, string path, bool allowNonFinite = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        var file = SafeTensorsFile.Read(path);
        return Load(model, file, ModuleFileHeader.Read(file), rename: null, allowNonFinite);
    }

    /// <summary>The size in bytes of the file <see cref="SaveModule"/> writes for module <paramref name="name"/> alone.</summary>
    public static long FileSize(this ModularModel model, string name)
    {
        ArgumentNullException.ThrowIfNull(model);
        var (tensors, header) = Contents(model, [name], []);
        using var bytes = new MemoryStream();
        SafeTensorsFile.Write(bytes, tensors, header.ToMetadata());
        return bytes.Length;
    }

    private static (List<KeyValuePair<string, Tensor>> Tensors, ModuleFileHeader Header) Contents(ModularModel model, IReadOnlyList<string> names, IReadOnlyList<string> baseLayers)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(baseLayers);
        if (names.Count == 0) throw new ConfigurationException("Saving modules needs at least one module name.");
        var modules = names.Distinct(StringComparer.Ordinal).Select(model.Get).ToList();
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var module in modules)
            foreach (var (key, tensor) in Tensors(model, module, module.Name)) tensors.TryAdd(key, tensor);
        var baseTensors = new List<string>();
        foreach (var pattern in baseLayers)
        {
            var parameters = model.BaseParametersIn(pattern);
            if (parameters.Count == 0)
                throw new ModulePathException($"Saving {string.Join(", ", names)}: the base layer pattern '{pattern}' matches no layer of the base model that has parameters.");
            foreach (var (path, parameter) in parameters)
                if (tensors.TryAdd(path, parameter)) baseTensors.Add(path);
        }
        var entries = modules.Select(m => new ModuleFileEntry(m.Name, m.Method, ModuleRecipes.Of(m.Spec), [.. m.Parts.Select(p => p.Site.HostPath)])).ToList();
        return (tensors.ToList(), new ModuleFileHeader(entries, baseTensors, model.Base.GetType().Name, model.BaseParameterCount));
    }

    /// <summary>
    /// A module's state under the keys a file uses: paths in the model, with the module's name written as
    /// <paramref name="keyName"/>; a tensor shared by several parts once, at its first part; base parameters it claims
    /// (full fine-tuning) under their own paths.
    /// </summary>
    private static IEnumerable<(string Key, Tensor Tensor)> Tensors(ModularModel model, AttachedModule module, string keyName)
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (site, part) in module.Parts)
            foreach (var (path, tensor) in part.State())
                if (seen.Add(tensor)) yield return ($"{site.HostPath}.{Site.HookName}.{keyName}.{path}", tensor);
        var claimed = module.BaseParameters.ToHashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (path, parameter) in model.Base.NamedParameters())
            if (claimed.Contains(parameter)) yield return (path, parameter);
    }

    private static List<AttachedModule> Load(ModularModel model, SafeTensors file, ModuleFileHeader header, string? rename, bool allowNonFinite)
    {
        // Every host is resolved before anything is attached, so a file from another base changes nothing.
        var hosts = header.Modules.Select(entry => Hosts(model, file, header, entry)).ToList();
        var attached = new List<AttachedModule>();
        try
        {
            var targets = new List<(string Key, Tensor Target)>();
            for (int i = 0; i < header.Modules.Count; i++)
            {
                var entry = header.Modules[i];
                string name = rename ?? entry.Name;
                model.AttachAt(hosts[i], ModuleRecipes.Create(entry.Recipe), name);
                var module = model.Get(name);
                attached.Add(module);
                targets.AddRange(Tensors(model, module, entry.Name));
            }
            var baseParameters = model.Base.NamedParameters().ToDictionary(e => e.Path, e => e.Parameter, StringComparer.Ordinal);
            foreach (var key in header.BaseTensors)
                targets.Add((key, baseParameters.TryGetValue(key, out var parameter) ? parameter
                    : throw new ModulePathException($"'{file.Source}' holds the base parameter '{key}', which this base model does not have. The file was saved from {header.BaseDescription}; this base is {Describe(model)}.")));
            CheckMatches(file, header, model, targets);
            // Every value is decoded (and checked) before any is copied, so a refused file leaves the base's saved layers unchanged.
            using var scope = TensorScope.Begin();
            var values = targets.Select(t => file.Get(t.Key, allowNonFinite)).ToList();
            using (GradMode.NoGrad())
            {
                for (int i = 0; i < targets.Count; i++) targets[i].Target.CopyFrom(values[i]);
            }
            return attached;
        }
        catch
        {
            foreach (var module in attached) model.Remove(module.Name);
            throw;
        }
    }

    private static List<(string Path, Module Host)> Hosts(ModularModel model, SafeTensors file, ModuleFileHeader header, ModuleFileEntry entry)
    {
        var layers = model.Base.NamedModules().Where(e => e.Path.Length > 0 && !model.IsInsideSite(e.Module)).ToDictionary(e => e.Path, e => e.Module, StringComparer.Ordinal);
        var missing = entry.Hosts.Where(h => !layers.ContainsKey(h)).ToList();
        if (missing.Count > 0)
            throw new ModulePathException($"'{file.Source}': module '{entry.Name}' ({entry.Method}) is attached to {Some(missing)}, which this base model does not have. The file was saved from {header.BaseDescription}; this base is {Describe(model)}. Load modules into the base model they were trained on.");
        return [.. entry.Hosts.Select(h => (h, layers[h]))];
    }

    /// <summary>Every key present with the shape the re-created modules have, and no tensor in the file left unclaimed.</summary>
    private static void CheckMatches(SafeTensors file, ModuleFileHeader header, ModularModel model, IReadOnlyList<(string Key, Tensor Target)> targets)
    {
        var missing = targets.Where(t => !file.Contains(t.Key)).Select(t => t.Key).ToList();
        if (missing.Count > 0)
            throw new CheckpointFormatException($"'{file.Source}' lacks {Some(missing)}, which its modules' recipes create; the file was edited or written by another tool.");
        var differing = targets.Select(t => (t.Key, Saved: file.Info(t.Key).Shape, Here: t.Target.Shape)).Where(t => t.Saved != t.Here).ToList();
        if (differing.Count > 0)
            throw new ShapeMismatchException($"'{file.Source}': {string.Join("; ", differing.Take(3).Select(d => $"'{d.Key}' is {d.Saved} in the file but {d.Here} here"))}{(differing.Count > 3 ? $" and {differing.Count - 3} more differ" : "")}. The file was saved from {header.BaseDescription}, a different base from this one ({Describe(model)}): load modules into the base model they were trained on.");
        var expected = targets.Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
        var unclaimed = file.Names.Where(n => !expected.Contains(n)).ToList();
        if (unclaimed.Count > 0)
            throw new CheckpointFormatException($"'{file.Source}' holds {Some(unclaimed)}, which none of its modules' recipes create; the file was edited or written by another tool.");
    }

    private static string Describe(ModularModel model) => ModuleFileHeader.Describe(model.Base.GetType().Name, model.BaseParameterCount);

    private static string Some(IReadOnlyList<string> items) =>
        string.Join(", ", items.Take(3).Select(i => $"'{i}'")) + (items.Count > 3 ? $" and {items.Count - 3} more" : "");
}
