using Modular.Aggregation;
using Modular.NN;
using Modular.Reports;
using Modular.Tensors;

namespace Modular;

/// <summary>
/// A base model with named modules attached at its sites — the PEFT-style workflow: attach modules by path
/// pattern, choose the active composition, decide what trains, merge, remove, save. The base model's own code
/// is untouched: modules hang from its layers as hooks and appear in its module tree under
/// <c>&lt;layer path&gt;.modules.&lt;name&gt;</c>.
/// </summary>
[TypeFormatterSource(ReportFormatting.FormatterSource)]
public sealed class ModularModel : IModelSummarySource, IParameterEfficiencySource, IRoutingHeatmapSource
{
    private readonly Dictionary<string, Site> sites = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AttachedModule> modules = new(StringComparer.Ordinal);
    private readonly Rng rng;
    private Block? active;

    /// <summary>Wraps <paramref name="baseModel"/>; module weights are drawn from a generator seeded with <paramref name="seed"/>.</summary>
    public ModularModel(Module baseModel, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        Base = baseModel;
        rng = new Rng((ulong)seed + 0x5EEDUL);
        BaseParameterCount = baseModel.ParameterCount;
    }

    /// <summary>The base model (its tree includes the attached modules).</summary>
    public Module Base { get; }

    /// <summary>Parameters of the base model alone, counted when it was wrapped.</summary>
    public long BaseParameterCount { get; }

    /// <summary>The attached modules by name.</summary>
    public IReadOnlyDictionary<string, AttachedModule> Modules => modules;

    /// <summary>The sites by host path.</summary>
    public IReadOnlyDictionary<string, Site> Sites => sites;

    /// <summary>Records routing decisions while set (see <see cref="RoutingTrace"/>); null = no recording.</summary>
    public RoutingTrace? Trace { get; set; }

    /// <summary>
    /// The composition that runs at every site, e.g. <c>"sentiment"</c>, <c>new Stack("de", "task")</c>,
    /// <c>new Select("language", "en", "de")</c>; null runs the base model alone.
    /// </summary>
    public Block? Active
    {
        get => active;
        set
        {
            if (value is not null)
            {
                value.Validate();
                var unknown = value.Names.Where(n => !modules.ContainsKey(n)).Distinct().ToList();
                if (unknown.Count > 0)
                    throw new ConfigurationException($"The composition {value} names {string.Join(", ", unknown.Select(n => $"'{n}'"))}, which {(unknown.Count == 1 ? "is" : "are")} not attached. Attached modules: {(modules.Count == 0 ? "none" : string.Join(", ", modules.Keys))}.");
                value.Bind(this);
            }
            active = value;
        }
    }

    // ------------------------------------------------------------------ attaching

    /// <summary>Attaches a module made by <paramref name="spec"/> at the spec's default targets.</summary>
    public ModularModel Attach(IModuleSpec spec, string name) => Attach(null, spec, name);

    /// <summary>
    /// Attaches a module named <paramref name="name"/> made by <paramref name="spec"/> to every layer matching
    /// <paramref name="pattern"/> (e.g. <c>layers.*.attention.query|value</c>; null = the spec's default targets),
    /// and makes it the active composition if none is active yet.
    /// </summary>
    public ModularModel Attach(string? pattern, IModuleSpec spec, string name)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (string.IsNullOrWhiteSpace(name) || name.Contains('.', StringComparison.Ordinal))
            throw new ConfigurationException($"Module name '{name}' is invalid: use a non-empty name without dots.");
        if (modules.TryGetValue(name, out var existing)) throw new ConfigurationException($"A module named '{name}' is already attached ({existing.Method}); remove it first or choose another name.");
        var baseParameters = spec.BaseParameters(Base).Where(p => !IsModuleParameter(p)).ToList();
        var targets = pattern ?? spec.DefaultTargets;
        var parts = new List<(Site Site, ComputationModule Module)>();
        if (targets.Length > 0)
        {
            // layers inside attached modules are never hosts: modules attach to the base model only
            var hosts = Base.Match(targets).Where(h => !h.Path.Split('.').Contains(Site.HookName)).ToList();
            if (hosts.Count == 0)
                throw new ModulePathException($"Attaching {spec.Method} '{name}': the pattern '{targets}' matches no layer. Layers look like: {string.Join(", ", SamplePaths())}.");
            var rejected = hosts.Select(h => (h.Path, Reason: spec.RejectHost(h.Module))).Where(r => r.Reason is not null).ToList();
            if (rejected.Count > 0)
                throw new ModulePathException($"Attaching {spec.Method} '{name}': the pattern '{targets}' matches layers of the wrong kind: {string.Join("; ", rejected.Take(3).Select(r => $"'{r.Path}': {r.Reason}"))}{(rejected.Count > 3 ? $" and {rejected.Count - 3} more" : "")}.");
            var created = spec.CreateModules(hosts, rng.Fork());
            for (int i = 0; i < hosts.Count; i++)
            {
                var site = SiteAt(hosts[i].Path, hosts[i].Module);
                site.Add(name, created[i]);
                parts.Add((site, created[i]));
            }
        }
        else if (baseParameters.Count == 0)
        {
            throw new ConfigurationException($"{spec.Method} has no default targets; pass a path pattern to Attach.");
        }
        modules[name] = new AttachedModule(name, spec, parts, baseParameters);
        active ??= new Use(name);
        return this;
    }

    private Site SiteAt(string path, Module host)
    {
        if (sites.TryGetValue(path, out var site)) return site;
        site = new Site(this, host, path, sites.Count);
        host.AddHook(Site.HookName, site);
        sites[path] = site;
        return site;
    }

    private IEnumerable<string> SamplePaths() =>
        Base.NamedModules().Select(e => e.Path).Where(p => p.Length > 0 && !p.Contains($".{Site.HookName}", StringComparison.Ordinal)).Take(8);

    /// <summary>Detaches a module everywhere, restoring the base model exactly (merged modules are unmerged first).</summary>
    public ModularModel Remove(string name)
    {
        var module = Get(name);
        if (module.IsMerged) Unmerge(name);
        foreach (var (site, _) in module.Parts)
        {
            site.Remove(name);
            if (site.Inventory.Count == 0)
            {
                site.Host.RemoveHook(Site.HookName);
                sites.Remove(site.HostPath);
            }
        }
        modules.Remove(name);
        if (active is not null && active.Names.Contains(name)) active = null;
        return this;
    }

    /// <summary>The attached module named <paramref name="name"/>, or a clear error listing the attached ones.</summary>
    public AttachedModule Get(string name) => modules.TryGetValue(name, out var m) ? m
        : throw new ConfigurationException($"No module named '{name}' is attached. Attached modules: {(modules.Count == 0 ? "none" : string.Join(", ", modules.Keys))}.");

    // ------------------------------------------------------------------ training settings

    /// <summary>
    /// Post-hoc adaptation: freezes the base and every module, then lets train exactly the named modules and any
    /// base layers matching the extra patterns (e.g. <c>"head"</c> for a new classifier head).
    /// </summary>
    public ModularModel TrainOnly(params string[] modulesOrBasePatterns)
    {
        ArgumentNullException.ThrowIfNull(modulesOrBasePatterns);
        Base.Freeze();
        foreach (var item in modulesOrBasePatterns)
        {
            if (modules.TryGetValue(item, out var module))
            {
                foreach (var p in module.Parameters) p.Trainable = true;
                continue;
            }
            var matches = Base.Match(item);
            if (matches.Count == 0)
                throw new ModulePathException($"TrainOnly: '{item}' is neither an attached module ({(modules.Count == 0 ? "none attached" : string.Join(", ", modules.Keys))}) nor a pattern matching a layer of the base model.");
            foreach (var (_, m) in matches)
                foreach (var p in m.Parameters().Where(p => !IsModuleParameter(p))) p.Trainable = true;
        }
        return this;
    }

    /// <summary>
    /// Lets the active composition's own parameters train (routers, AdapterFusion layers), in addition to whatever
    /// already trains; e.g. <c>TrainOnly().TrainComposition()</c> trains only the fusion of frozen adapters.
    /// </summary>
    public ModularModel TrainComposition()
    {
        if (active is null) throw new ConfigurationException("TrainComposition: no composition is active; set Active first.");
        foreach (var p in active.CompositionParameters) p.Trainable = true;
        return this;
    }

    private bool IsModuleParameter(Parameter p) => modules.Values.Any(m => m.OwnParameters.Contains(p));

    // ------------------------------------------------------------------ merging

    /// <summary>Folds a parameter-composition module into the base weights (outputs unchanged; the module stops running).</summary>
    public ModularModel Merge(string name)
    {
        var module = Get(name);
        if (module.IsMerged) throw new ConfigurationException($"Module '{name}' is already merged.");
        var blocking = module.Parts.FirstOrDefault(p => !p.Module.CanMerge);
        if (blocking.Module is not null) throw new ConfigurationException($"Module '{name}' ({module.Method}) cannot be merged: {blocking.Module.Method} at '{blocking.Site.HostPath}' is not a parameter-composition module.");
        using (Tensors.Autograd.GradMode.NoGrad())
            foreach (var (site, part) in module.Parts) part.MergeInto(site, 1f);
        module.IsMerged = true;
        if (active is not null && active.Names.Contains(name)) active = Without(active, name);
        return this;
    }

    /// <summary>Takes a merged module back out of the base weights (restoring them up to float rounding) and lets it run again.</summary>
    public ModularModel Unmerge(string name)
    {
        var module = Get(name);
        if (!module.IsMerged) throw new ConfigurationException($"Module '{name}' is not merged.");
        using (Tensors.Autograd.GradMode.NoGrad())
            foreach (var (site, part) in module.Parts) part.MergeInto(site, -1f);
        module.IsMerged = false;
        active ??= new Use(name);
        return this;
    }

    private static Block? Without(Block block, string name) => block is Use use && use.Name == name ? null : block;

    // ------------------------------------------------------------------ running

    /// <summary>
    /// Runs a token model base with the batch's padding mask and per-example metadata (e.g. <c>task</c>, <c>language</c> ids)
    /// visible to the routers.
    /// </summary>
    public Tensor Forward(IntTensor ids, Tensor? paddingMask = null, IReadOnlyDictionary<string, int[]>? metadata = null)
    {
        if (Base is not ITokenModel model) throw new ConfigurationException($"ModularModel.Forward needs a base model that reads token ids (ITokenModel); {Base.GetType().Name} is not one. Call the base model directly inside ForwardContext.Begin(...).");
        using var context = ForwardContext.Begin(paddingMask, metadata);
        return model.Forward(ids, paddingMask);
    }

    /// <summary>Trainable and total parameter counts: "33,282 of 3,464,706 parameters train (0.96%)".</summary>
    public override string ToString()
    {
        long total = Base.ParameterCount, trainable = Base.TrainableParameterCount;
        return $"{Base.GetType().Name} with {modules.Count} module{(modules.Count == 1 ? "" : "s")} ({string.Join(", ", modules.Values.Select(m => $"{m.Name}: {m.Method}"))}); active: {active?.ToString() ?? "none"}; {trainable:N0} of {total:N0} parameters train ({100.0 * trainable / Math.Max(1, total):0.##}%)";
    }

    // ------------------------------------------------------------------ reports

    /// <summary>The base model's tree with the attached modules marked, headed by what trains.</summary>
    public ModelSummary Summarize() => new(Base.Summarize().Root) { Title = ToString() };

    /// <summary>
    /// This model's row of a parameter-efficiency table: the attached modules' methods, the parameters that train now,
    /// the total, the base size, parameters per module and the size of the trainable parameters on disk (float32).
    /// </summary>
    public ParameterEfficiencyRow DescribeParameterEfficiency()
    {
        var methods = modules.Values.Select(m => m.Method).Distinct().ToList();
        var kinds = modules.Values.SelectMany(m => m.Parts.Select(p => p.Module.Kind.ToString())).Distinct().ToList();
        long trainable = TrainableParameterCount;
        return new ParameterEfficiencyRow(methods.Count == 0 ? "Base model" : string.Join(" + ", methods),
            kinds.Count == 0 ? (modules.Values.Any(m => m.BaseParameters.Count > 0) ? "base weights" : "none") : string.Join(", ", kinds.Select(k => $"{k.ToLowerInvariant()} composition")),
            trainable, Base.ParameterCount, BaseParameterCount)
        {
            PerUnit = modules.Count > 1 ? new PerUnitParameters(modules.Values.Sum(m => m.EffectiveParameterCount) / modules.Count, "module") : null,
            SizeOnDiskBytes = trainable * sizeof(float),
        };
    }

    /// <summary>Parameters that train now, counting only the masked entries of sparse modules.</summary>
    public long TrainableParameterCount
    {
        get
        {
            var sparse = modules.Values.SelectMany(m => m.Parts).Where(p => p.Module.EffectiveParameterCount != p.Module.ParameterCount).ToList();
            long correction = sparse.Where(p => p.Module.Parameters().Any(q => q.Trainable)).Sum(p => p.Module.ParameterCount - p.Module.EffectiveParameterCount);
            return Base.TrainableParameterCount - correction;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> RoutedLayers => Trace?.Sites.Select(s => s.Site).ToList() ?? [];

    /// <inheritdoc/>
    public IReadOnlyList<string> RoutingGroupings => [Trace?.LabelKey ?? "all"];

    /// <inheritdoc/>
    public Heatmap RoutingHeatmap(string layer, string groupBy)
    {
        var trace = Trace ?? throw new ConfigurationException("No routing trace is recorded; set model.Trace = new RoutingTrace(\"language\", names) before running the model.");
        return trace.Heatmap(layer);
    }
}
