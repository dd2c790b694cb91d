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
    private readonly Dictionary<Block, CompositionState> compositionStates = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<Block> keptStates = new(ReferenceEqualityComparer.Instance);
    private Block? active;

    /// <summary>Wraps <paramref name="baseModel"/>; module weights are drawn from a generator seeded with <paramref name="seed"/>.</summary>
    public ModularModel(Module baseModel, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        Base = baseModel;
        Random = new Rng((ulong)seed + 0x5EEDUL);
        BaseParameterCount = baseModel.ParameterCount;
    }

    /// <summary>The model's random stream: module weights, routers and fusion layers are drawn from forks of it.</summary>
    internal Rng Random { get; }

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
    /// <c>new Select("language", "en", "de")</c>; null runs the base model alone. Setting it creates the state its
    /// blocks need in this model (routers, fusion layers, under the sites) and releases the state of the blocks it
    /// replaces — unless <see cref="KeepCompositionState"/> kept them aside, ready to come back trained.
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
                var merged = ConditionalNames(value).Where(n => modules[n].IsMerged).Distinct().ToList();
                if (merged.Count > 0)
                    throw new ConfigurationException($"The composition {value} routes or weights {string.Join(", ", merged.Select(n => $"'{n}'"))}, which {(merged.Count == 1 ? "is" : "are")} merged into the base weights and act{(merged.Count == 1 ? "s" : "")} on every example. Unmerge first.");
            }
            var next = value?.Descendants.ToHashSet<Block>(ReferenceEqualityComparer.Instance) ?? [];
            foreach (var block in next) CreateOrRestoreState(block);
            foreach (var block in active?.Descendants ?? [])
                if (!next.Contains(block)) ReleaseState(block);
            active = value;
        }
    }

    /// <summary>
    /// Keeps <paramref name="block"/>'s state (e.g. a trained router) when a later composition replaces it: the state
    /// leaves the model's tree, its parameter counts and optimisers, and returns, as trained, when the same block
    /// instance is set active again. Without this, replacing a block discards its state.
    /// </summary>
    public ModularModel KeepCompositionState(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        keptStates.Add(block);
        return this;
    }

    /// <summary>The state <paramref name="block"/> keeps in this model (routers, fusion layers); a clear error when the block is not part of the active composition.</summary>
    public CompositionState StateOf(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return compositionStates.TryGetValue(block, out var state) && state.IsAttached ? state
            : throw new ConfigurationException($"{block} is not part of this model's active composition ({active?.ToString() ?? "none"}); set it as model.Active first.");
    }

    /// <summary>Parameters of the active composition's own state (routers, fusion layers), each once.</summary>
    public IEnumerable<Parameter> CompositionParameters =>
        (active?.Descendants ?? []).Where(compositionStates.ContainsKey).SelectMany(b => compositionStates[b].Parameters).Distinct();

    private void CreateOrRestoreState(Block block)
    {
        if (compositionStates.TryGetValue(block, out var existing))
        {
            existing.Reattach();
            return;
        }
        var state = new CompositionState(block);
        block.CreateState(this, state);
        compositionStates[block] = state;
    }

    private void ReleaseState(Block block)
    {
        if (!compositionStates.TryGetValue(block, out var state)) return;
        state.Detach();
        if (!keptStates.Contains(block)) compositionStates.Remove(block);
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
        CheckNewName(name);
        var targets = pattern ?? spec.DefaultTargets;
        if (targets.Length == 0) return AttachAt([], spec, name);
        var hosts = Base.Match(targets).Where(h => !IsInsideSite(h.Module)).ToList();
        if (hosts.Count == 0)
            throw new ModulePathException($"Attaching {spec.Method} '{name}': the pattern '{targets}' matches no layer. Layers look like: {string.Join(", ", SamplePaths())}.");
        return AttachAt(hosts, spec, name, targets);
    }

    /// <summary>
    /// Attaches a module at exactly the given host layers, in this order (the order fixes e.g. a hypernetwork's layer
    /// ids); <paramref name="pattern"/>, when they were found by one, is quoted in errors.
    /// </summary>
    internal ModularModel AttachAt(IReadOnlyList<(string Path, Module Host)> hosts, IModuleSpec spec, string name, string? pattern = null)
    {
        CheckNewName(name);
        var inSites = SiteParameters();
        var baseParameters = spec.BaseParameters(Base).Where(p => !inSites.Contains(p)).ToList();
        if (hosts.Count == 0 && baseParameters.Count == 0)
            throw new ConfigurationException($"{spec.Method} has no default targets; pass a path pattern to Attach.");
        var rejected = hosts.Select(h => (h.Path, Reason: spec.RejectHost(h.Host))).Where(r => r.Reason is not null).ToList();
        if (rejected.Count > 0)
            throw new ModulePathException($"Attaching {spec.Method} '{name}': {(pattern is null ? "layers" : $"the pattern '{pattern}' matches layers")} of the wrong kind: {string.Join("; ", rejected.Take(3).Select(r => $"'{r.Path}': {r.Reason}"))}{(rejected.Count > 3 ? $" and {rejected.Count - 3} more" : "")}.");
        var parts = new List<(Site Site, ComputationModule Module)>();
        if (hosts.Count > 0)
        {
            var created = spec.CreateModules(hosts, Random.Fork());
            foreach (var module in created) module.Method = spec.Method;
            for (int i = 0; i < hosts.Count; i++)
            {
                var site = SiteAt(hosts[i].Path, hosts[i].Host);
                site.Add(name, created[i]);
                parts.Add((site, created[i]));
            }
        }
        modules[name] = new AttachedModule(name, spec, parts, baseParameters);
        active ??= new Use(name);
        return this;
    }

    /// <summary>
    /// Attaches a copy of <paramref name="source"/>'s module <paramref name="name"/> to this model at the layers with the
    /// same paths that this model has (e.g. a language adapter trained on a masked language model, moved to a classifier
    /// with the same encoder; the invertible adapter's inverse before an MLM decoder is left behind). Weights are copied.
    /// </summary>
    public AttachedModule CopyModule(ModularModel source, string name, string? newName = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        var original = source.Get(name);
        var present = Base.NamedModules().ToDictionary(e => e.Path, e => e.Module, StringComparer.Ordinal);
        var hosts = original.Parts.Where(p => present.ContainsKey(p.Site.HostPath)).Select(p => (p.Site.HostPath, present[p.Site.HostPath])).ToList();
        if (hosts.Count == 0) throw new ModulePathException($"CopyModule: none of the layers '{name}' is attached to ({string.Join(", ", original.Parts.Select(p => p.Site.HostPath))}) exists in this model.");
        AttachAt(hosts, original.Spec, newName ?? name);
        var copy = Get(newName ?? name);
        using (Tensors.Autograd.GradMode.NoGrad())
        {
            foreach (var (site, module) in copy.Parts)
            {
                var from = original.Parts.First(p => p.Site.HostPath == site.HostPath).Module;
                module.LoadState(from.State());
            }
        }
        return copy;
    }

    private void CheckNewName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains('.', StringComparison.Ordinal))
            throw new ConfigurationException($"Module name '{name}' is invalid: use a non-empty name without dots.");
        if (modules.TryGetValue(name, out var existing)) throw new ConfigurationException($"A module named '{name}' is already attached ({existing.Method}); remove it first or choose another name.");
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
        Base.NamedModules().Where(e => e.Path.Length > 0 && !IsInsideSite(e.Module)).Select(e => e.Path).Take(8);

    /// <summary>Whether <paramref name="module"/> belongs to a site (a site itself, a module attached there, a router): such layers are never hosts or base layers.</summary>
    internal bool IsInsideSite(Module module) =>
        sites.Values.Any(site => site.NamedModules().Any(e => ReferenceEquals(e.Module, module)));

    /// <summary>
    /// Detaches a module everywhere. The base model is left exactly as it was before attaching (bit for bit), unless
    /// the module is merged: then it is unmerged first, which restores the base weights up to float rounding. An active
    /// composition that names the module is cleared.
    /// </summary>
    public ModularModel Remove(string name)
    {
        var module = Get(name);
        if (module.IsMerged) Unmerge(name);
        module.RestoreBaseParameters();
        // the composition goes first, so that its state leaves the sites while they still exist
        if (active is not null && active.Names.Contains(name)) Active = null;
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
            var parameters = BaseParametersIn(item);
            if (parameters.Count == 0)
                throw new ModulePathException($"TrainOnly: '{item}' is neither an attached module ({(modules.Count == 0 ? "none attached" : string.Join(", ", modules.Keys))}) nor a pattern matching a layer of the base model that has parameters.");
            foreach (var (_, p) in parameters) p.Trainable = true;
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
        foreach (var p in CompositionParameters) p.Trainable = true;
        return this;
    }

    /// <summary>
    /// The base model's own parameters, by path, in the layers matching <paramref name="pattern"/> (e.g. <c>head</c>);
    /// parameters of attached modules and of compositions (routers, fusion layers) are not the base's.
    /// </summary>
    internal IReadOnlyList<(string Path, Parameter Parameter)> BaseParametersIn(string pattern)
    {
        var inLayers = Base.Match(pattern).Where(e => !IsInsideSite(e.Module)).SelectMany(e => e.Module.Parameters()).ToHashSet(ReferenceEqualityComparer.Instance);
        var inSites = SiteParameters();
        return Base.NamedParameters().Where(e => inLayers.Contains(e.Parameter) && !inSites.Contains(e.Parameter)).ToList();
    }

    /// <summary>Every parameter that hangs from a site: attached modules' and compositions' parameters.</summary>
    private HashSet<object> SiteParameters() => sites.Values.SelectMany(s => s.Parameters()).ToHashSet<object>(ReferenceEqualityComparer.Instance);

    // ------------------------------------------------------------------ merging

    /// <summary>
    /// Folds a parameter-composition module into the base weights: the base alone then computes what base + module
    /// computed, and the module stops running (a composition may go on naming it). Exact when the module is the
    /// first to act at each of its sites, as with one module per site.
    /// </summary>
    public ModularModel Merge(string name)
    {
        var module = Get(name);
        if (module.IsMerged) throw new ConfigurationException($"Module '{name}' is already merged.");
        var blocking = module.Parts.FirstOrDefault(p => !p.Module.CanMerge);
        if (blocking.Module is not null) throw new ConfigurationException($"Module '{name}' ({module.Method}) cannot be merged: {blocking.Module.Method} at '{blocking.Site.HostPath}' is not a parameter-composition module.");
        if (active is not null && ConditionalNames(active).Contains(name))
            throw new ConfigurationException($"Module '{name}' cannot be merged while the active composition {active} routes or weights it: merged into the base weights it would act on every example. Set Active to a composition without it first.");
        using (Tensors.Autograd.GradMode.NoGrad())
            foreach (var (site, part) in module.Parts) part.MergeInto(site, 1f);
        module.IsMerged = true;
        // A merged module no longer runs, so its own parameters can learn nothing: they stop counting as trainable.
        foreach (var p in module.OwnParameters) p.Trainable = false;
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
        return this;
    }

    /// <summary>
    /// The names a composition runs only for some examples or with a weight (under Select, Mixture, Fuse, Average);
    /// under Use, Stack and Sum a module runs on every example with its full effect, which merging preserves.
    /// </summary>
    private static IEnumerable<string> ConditionalNames(Block block) => block switch
    {
        Use => [],
        Stack or Sum => block.Children.SelectMany(ConditionalNames),
        _ => block.Names,
    };

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

    // ------------------------------------------------------------------ accounting

    /// <summary>What each attached module costs in parameters and bytes.</summary>
    public IReadOnlyList<ModuleAccount> ParameterAccounts() =>
        [.. modules.Values.Select(m => new ModuleAccount(m.Name, m.Method, m.Parts.Count, m.EffectiveParameterCount,
            m.OwnParameters.Sum(p => (long)p.Count), BaseParameterCount, this.FileSize(m.Name)))];

    /// <summary>The same costs summed per method (e.g. two LoRA modules give one LoRA row), in order of first appearance.</summary>
    public IReadOnlyList<ModuleAccount> ParameterAccountsByMethod() =>
        [.. ParameterAccounts().GroupBy(a => a.Method).Select(g => new ModuleAccount(string.Join(", ", g.Select(a => a.Name)), g.Key,
            g.Sum(a => a.Sites), g.Sum(a => a.TrainableParameters), g.Sum(a => a.StoredParameters), BaseParameterCount, g.Sum(a => a.Bytes)))];

    /// <summary>Trainable and total parameter counts: "33,282 of 3,464,706 parameters train (0.96%)".</summary>
    public override string ToString()
    {
        long total = Base.ParameterCount, trainable = Base.TrainableParameterCount;
        return $"{Base.GetType().Name} with {modules.Count} module{(modules.Count == 1 ? "" : "s")} ({string.Join(", ", modules.Values.Select(m => $"{m.Name}: {m.Method}{(m.IsMerged ? ", merged" : "")}"))}); active: {active?.ToString() ?? "none"}; {trainable:N0} of {total:N0} parameters train ({100.0 * trainable / Math.Max(1, total):0.##}%)";
    }

    // ------------------------------------------------------------------ reports

    /// <summary>The base model's tree with the attached modules marked, headed by what trains.</summary>
    public ModelSummary Summarize()
    {
        var attached = new Dictionary<Module, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, module) in sites.Values.SelectMany(s => s.Inventory)) attached[module] = name;
        return new(ModuleSummaries.Summarize(Base, m => attached.GetValueOrDefault(m)).Root) { Title = ToString() };
    }

    /// <summary>
    /// This model's row of a parameter-efficiency table: the attached modules' methods, the parameters that train now,
    /// the total, the base size, parameters per module and the size of the trainable parameters on disk (float32).
    /// </summary>
    public ParameterEfficiencyRow DescribeParameterEfficiency()
    {
        var methods = modules.Values.Select(m => m.Method).Distinct().ToList();
        var kinds = modules.Values.SelectMany(m => m.Parts.Select(p => p.Module.Composition.ToString())).Distinct().ToList();
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
    public IReadOnlyList<string> RoutedLayers => Trace?.RoutedLayers ?? [];

    /// <inheritdoc/>
    public IReadOnlyList<string> RoutingGroupings => Trace?.RoutingGroupings ?? ["all"];

    /// <inheritdoc/>
    public Heatmap RoutingHeatmap(string layer, string groupBy) =>
        (Trace ?? throw new ConfigurationException("No routing trace is recorded; set model.Trace = new RoutingTrace(\"language\", names) before running the model.")).RoutingHeatmap(layer, groupBy);
}
