using Modular.NN;
using Modular.Routing;
using Modular.Tensors;

namespace Modular.Aggregation;

/// <summary>How a mixture combines the modules its router activates.</summary>
public enum MixtureAggregation
{
    /// <summary>Weighted sum of the modules' outputs: y + Σᵢ wᵢ·(fᵢ(y) − y), each module run only on its rows.</summary>
    Representation,

    /// <summary>The modules' parameters are averaged with the weights and the average runs once (Polytropon); needs <see cref="IParameterAveraging"/> modules and example-level routing.</summary>
    Parameters,
}

/// <summary>
/// Learned routing among named modules at every site where they are attached: a router (top-k mixture of experts,
/// Gumbel straight-through, Polytropon allocation, REINFORCE) scores the modules for each token or example, and the
/// chosen ones are aggregated. The routing level says whether each site decides from its own input with its own router
/// (layer-wise), one decision is reused everywhere (naive global), or the first site's input decides, once, a possibly
/// different choice for every site through one router head per site (global).
/// </summary>
public sealed class Mixture : Block
{
    private readonly string[] names;

    /// <summary>
    /// Routes among <paramref name="modules"/> with routers made by <paramref name="router"/>. Routers are drawn from
    /// the model's random stream, or from <paramref name="seed"/> when given (then they start the same whatever else
    /// the model holds).
    /// </summary>
    public Mixture(RouterFactory router, IReadOnlyList<string> modules, RoutingLevel level = RoutingLevel.LayerWise,
        RoutingGranularity granularity = RoutingGranularity.Token, MixtureAggregation aggregation = MixtureAggregation.Representation, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(modules);
        if (modules.Count < 1) throw new ConfigurationException("Mixture needs at least one module to route to.");
        if (aggregation == MixtureAggregation.Parameters && granularity == RoutingGranularity.Token)
            throw new ConfigurationException("Mixture: parameter aggregation averages module parameters per example; use RoutingGranularity.Example (token-level averaging would need one parameter copy per token).");
        Factory = router;
        names = [.. modules];
        Level = level;
        Granularity = granularity;
        Aggregation = aggregation;
        Seed = seed;
    }

    /// <summary>Makes the routers.</summary>
    public RouterFactory Factory { get; }

    /// <summary>Where decisions are made.</summary>
    public RoutingLevel Level { get; }

    /// <summary>Tokens or examples.</summary>
    public RoutingGranularity Granularity { get; }

    /// <summary>How the chosen modules combine.</summary>
    public MixtureAggregation Aggregation { get; }

    /// <summary>Seed of the routers' initialisation; null = the model's random stream.</summary>
    public int? Seed { get; }

    /// <summary>The routed module names, in router output order.</summary>
    public IReadOnlyList<string> RoutedNames => names;

    /// <inheritdoc/>
    public override IEnumerable<string> Names => names;

    /// <summary>The router that decides for <paramref name="site"/> of <paramref name="model"/>: its own (layer-wise, global) or the shared one (naive global).</summary>
    public Router RouterAt(ModularModel model, Site site)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.StateOf(this).At<Router>(site);
    }

    /// <summary>Every router this mixture keeps in <paramref name="model"/>, in site order (one for naive-global routing).</summary>
    public IReadOnlyList<Router> RoutersOf(ModularModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return [.. model.StateOf(this).Members.Cast<Router>()];
    }

    /// <inheritdoc/>
    protected internal override void CreateState(ModularModel model, CompositionState state)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(state);
        var sites = model.Sites.Values.Where(s => names.Any(n => s.Find(n) is not null)).OrderBy(s => s.Index).ToList();
        if (sites.Count == 0) throw new ConfigurationException($"Mixture({string.Join(", ", names)}): none of these modules is attached anywhere.");
        var rng = Seed is { } seed ? new Rng((ulong)seed + 0xB10CUL) : model.Random.Fork();
        Router? shared = null;
        foreach (var site in sites)
        {
            var missing = names.Where(n => site.Find(n) is null).ToList();
            if (missing.Count > 0) throw new ConfigurationException($"Mixture at '{site.HostPath}': modules {string.Join(", ", missing)} are not attached there; every routed module must be attached at the same sites.");
            // a global router's heads all read the first site's input
            int dimension = (Level == RoutingLevel.Global ? sites[0] : site).InputWidth("Mixture (to size the router)");
            if (Level != RoutingLevel.NaiveGlobal) state.Add(site, "router", Factory(dimension, names.Length, rng));
            else if (shared is null) shared = state.Add(site, "router", Factory(dimension, names.Length, rng));
            else state.Share(site, shared);
        }
    }

    /// <inheritdoc/>
    public override Tensor Apply(Site site, Tensor input, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var state = site.Owner.StateOf(this);
        if (!state.Covers(site)) return output;
        bool tokens = Granularity == RoutingGranularity.Token && input.Rank == 3;
        var x = tokens ? input.Reshape(-1, input.Size(-1)) : input;
        var y = tokens ? output.Reshape(-1, output.Size(-1)) : output;
        var decision = Decide(state, site, tokens ? x : Pool(input));
        if (site.Owner.Trace is { } trace)
        {
            // only a recorded pass pays for the token → example map
            int[]? rowExample = tokens ? Enumerable.Range(0, x.Size(0)).Select(t => t / input.Size(1)).ToArray() : null;
            Router.Record(trace, site.HostPath, names, decision, rowExample);
        }
        var modules = names.Select(n => site.Find(n)!).ToList();
        var result = Aggregation == MixtureAggregation.Parameters ? AverageParameters(site, modules, decision, x, y) : SumRepresentations(modules, decision, x, y);
        return tokens ? result.Reshape(output.Shape.ToArray()) : result;
    }

    private RoutingDecision Decide(CompositionState state, Site site, Tensor features)
    {
        if (Level == RoutingLevel.LayerWise) return Decided(state.At<Router>(site).Route(features));
        var context = ForwardContext.Current ?? throw new ConfigurationException($"Mixture with {Level} routing keeps one decision per forward pass in the ForwardContext; run the model through ModularModel.Forward or inside ForwardContext.Begin(...).");
        // keyed by the model's state, not by this block: two models may use the same block in one pass
        if (context.Cache.TryGetValue(state, out var cached) && cached is PassDecisions current && current.Serves(site)) return current.Decisions[site];
        // the first site of a forward pass decides for every site, from its own input
        var pass = new PassDecisions(DecideForAllSites(state, features));
        foreach (var decision in pass.Decisions.Values.Distinct()) Decided(decision);
        pass.Serves(site);
        context.Cache[state] = pass;
        return pass.Decisions[site];
    }

    /// <summary>Hands a new decision's auxiliary loss (balancing, z-loss, policy gradient) to the forward pass, where the trainer takes it.</summary>
    private static RoutingDecision Decided(RoutingDecision decision)
    {
        if (decision.AuxiliaryLoss is { } term) ForwardContext.Current?.AddLossTerm(term);
        return decision;
    }

    private Dictionary<Site, RoutingDecision> DecideForAllSites(CompositionState state, Tensor features)
    {
        var sites = state.Sites;
        if (Level == RoutingLevel.Global) return sites.ToDictionary(s => s, s => state.At<Router>(s).Route(features));
        var decision = state.At<Router>(sites[0]).Route(features);
        return sites.ToDictionary(s => s, _ => decision);
    }

    /// <summary>
    /// The decisions of one forward pass for the global levels. Each site takes its decision once; a site asking again
    /// means a new pass has begun (e.g. a second forward pass inside the same context), which decides anew.
    /// </summary>
    private sealed class PassDecisions(Dictionary<Site, RoutingDecision> decisions)
    {
        private readonly HashSet<Site> served = [];

        public IReadOnlyDictionary<Site, RoutingDecision> Decisions => decisions;

        /// <summary>Marks <paramref name="site"/> as served; false if it already was in this pass.</summary>
        public bool Serves(Site site) => served.Add(site);
    }

    private static Tensor SumRepresentations(IReadOnlyList<ComputationModule> modules, RoutingDecision decision, Tensor x, Tensor y)
    {
        var changes = new List<(IntTensor, Tensor)>();
        foreach (var (m, rows) in Dispatch.Groups(decision))
        {
            var ym = y.IndexSelect(0, rows);
            var adapted = modules[m].Apply(x.IndexSelect(0, rows), ym);
            if (!adapted.Shape.Equals(ym.Shape)) throw new ShapeMismatchException($"Mixture: {modules[m].Method} changes the output shape {ym.Shape} → {adapted.Shape}; only shape-preserving modules can be mixed.");
            var gate = Dispatch.Broadcastable(Dispatch.Gate(decision, rows, m), ym.Rank);
            changes.Add((rows, adapted.Sub(ym).Mul(gate)));
        }
        return Dispatch.AddRows(y, changes);
    }

    private static Tensor AverageParameters(Site site, IReadOnlyList<ComputationModule> modules, RoutingDecision decision, Tensor x, Tensor y)
    {
        if (modules[0] is not IParameterAveraging averaging || modules.Any(m => m.GetType() != modules[0].GetType()))
            throw new ConfigurationException($"Mixture at '{site.HostPath}': parameter aggregation needs modules of one type that supports averaging (e.g. LoRA); got {string.Join(", ", modules.Select(m => m.Method).Distinct())}.");
        return averaging.ApplyAveraged(modules, decision.Weights, x, y);
    }

    /// <summary>Mean over the sequence, padding excluded when the context has a mask: [batch, length, d] → [batch, d].</summary>
    private static Tensor Pool(Tensor input) => input.Rank == 3 ? Pooling.MeanOverTokens(input, ForwardContext.Current?.PaddingMask) : input;

    /// <inheritdoc/>
    public override string ToString() => $"Mixture({string.Join(", ", names)}; {Level}, {Granularity}, {Aggregation})";
}
