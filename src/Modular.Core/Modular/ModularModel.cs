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
public sealed partial class ModularModel : IModelSummarySource, IParameterEfficiencySource, IRoutingHeatmapSource
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
        Device = baseModel.Device;
        Random = new Rng((ulong)seed + 0x5EEDUL);
        BaseParameterCount = baseModel.ParameterCount;
    }

    /// <summary>The model's random stream: module weights, routers and fusion layers are drawn from forks of it.</summary>
    internal Rng Random { get; }

    /// <summary>The device the model computes on: the base model's when wrapped (e.g. <c>baseModel.To(device).WithModules()</c>), then wherever <see cref="To"/> moves it.</summary>
    public Device Device { get; private set; }

    /// <summary>
    /// Moves the model to <paramref name="device"/>: the base and every attached module, the composition's state (routers,
    /// fusion layers, and state kept aside for later), and what is attached or composed from now on. Inputs follow on
    /// their own: token ids and targets are accepted from host memory on every device, and <see cref="Forward"/> and the
    /// trainer move the padding mask. Optimisers keep their parameters and move their state on the next step.
    /// </summary>
    public ModularModel To(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        Device = device;
        Settle();
        return this;
    }

    /// <summary>Puts state made since the last move (new modules, routers, fusion layers) on the model's device.</summary>
    internal void Settle()
    {
        Base.To(Device);
        foreach (var state in compositionStates.Values)
            foreach (var member in state.Members) member.To(Device);
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
                created[i].To(Device); // made in host memory from the model's random stream
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

    // ------------------------------------------------------------------ running

    /// <summary>
    /// Runs a token model base with the batch's padding mask and per-example metadata (e.g. <c>task</c>, <c>language</c> ids)
    /// visible to the routers.
    /// </summary>
    public Tensor Forward(IntTensor ids, Tensor? paddingMask = null, IReadOnlyDictionary<string, int[]>? metadata = null)
    {
        if (Base is not ITokenModel model) throw new ConfigurationException($"ModularModel.Forward needs a base model that reads token ids (ITokenModel); {Base.GetType().Name} is not one. Call the base model directly inside ForwardContext.Begin(...).");
        var mask = paddingMask is null ? null : PaddingMask.ValidatedOn(paddingMask, Device);
        using var context = ForwardContext.Begin(mask, metadata);
        return model.Forward(ids, mask);
    }

}
