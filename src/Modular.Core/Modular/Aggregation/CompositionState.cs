using Modular.NN;

namespace Modular.Aggregation;

/// <summary>
/// What one composition block keeps in one model: a module per site (a router, a fusion layer) or one shared by every
/// site (a naive-global router), registered under the sites so that it is part of the model's tree, its parameter
/// counts and its checkpoints. The model owns it: the block itself stays a description that any number of models
/// can use, and the state goes when the model's composition stops using the block.
/// </summary>
public sealed class CompositionState
{
    private readonly Dictionary<Site, Module> perSite = [];
    private readonly List<(Site Site, string Role, Module Module)> registered = [];

    internal CompositionState(Block block) => Block = block;

    /// <summary>The block this state serves.</summary>
    public Block Block { get; }

    /// <summary>The sites the block acts at, in site order.</summary>
    public IReadOnlyList<Site> Sites => [.. perSite.Keys.OrderBy(s => s.Index)];

    /// <summary>Whether the state hangs from its sites (false once another composition replaced the block and the model kept it aside).</summary>
    public bool IsAttached { get; private set; } = true;

    /// <summary>The distinct state modules (routers, fusion layers), in site order.</summary>
    public IReadOnlyList<Module> Members => [.. Sites.Select(s => perSite[s]).Distinct()];

    /// <summary>Every parameter of the state, each once.</summary>
    public IEnumerable<Parameter> Parameters => Members.SelectMany(m => m.Parameters()).Distinct();

    /// <summary>Whether the block acts at <paramref name="site"/>.</summary>
    public bool Covers(Site site) => perSite.ContainsKey(site);

    /// <summary>The state module of type <typeparamref name="T"/> serving <paramref name="site"/>.</summary>
    public T At<T>(Site site) where T : Module
    {
        ArgumentNullException.ThrowIfNull(site);
        return perSite.TryGetValue(site, out var module) ? (T)module
            : throw new ConfigurationException($"{Block} keeps no state at '{site.HostPath}'; it acts at {(perSite.Count == 0 ? "no site" : string.Join(", ", Sites.Select(s => $"'{s.HostPath}'")))}.");
    }

    /// <summary>Registers <paramref name="module"/> under <paramref name="site"/> as its <paramref name="role"/> (e.g. "router") and returns it.</summary>
    internal T Add<T>(Site site, string role, T module) where T : Module
    {
        registered.Add((site, site.AddCompositionState(role, module), module));
        perSite[site] = module;
        return module;
    }

    /// <summary>Lets <paramref name="site"/> use a module already registered at another site (one decision for every site).</summary>
    internal void Share(Site site, Module module) => perSite[site] = module;

    /// <summary>Takes the state's modules out of the model's tree, keeping them (and their trained values) here.</summary>
    internal void Detach()
    {
        if (!IsAttached) return;
        foreach (var (site, _, module) in registered) site.RemoveCompositionState(module);
        IsAttached = false;
    }

    /// <summary>Hangs the state's modules back under their sites, under the names they had.</summary>
    internal void Reattach()
    {
        if (IsAttached) return;
        for (int i = 0; i < registered.Count; i++)
        {
            var (site, role, module) = registered[i];
            registered[i] = (site, site.AddCompositionState(role, module), module);
        }
        IsAttached = true;
    }
}
