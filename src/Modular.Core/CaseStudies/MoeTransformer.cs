using Modular.Aggregation;
using Modular.Computation;
using Modular.NN;
using Modular.Reports;
using Modular.Routing;
using Modular.Tensors;

namespace Modular.CaseStudies;

/// <summary>
/// The mixture-of-experts Transformer case study as a configuration of sites (ARCHITECTURE §1): a Transformer
/// classifier whose feed-forward block in every <c>moeEvery</c>-th layer is an empty place (<see cref="ZeroLayer"/>)
/// holding an inventory of <see cref="Expert"/> networks, and a <see cref="Mixture"/> with learned soft top-k routing
/// per token, expert capacity and the Switch load-balancing and z-losses. Every routing decision is recorded in the
/// model's <see cref="ModularModel.Trace"/>, labelled by the batch metadata key given at creation (e.g. each example's
/// script or language).
/// </summary>
public static class MoeTransformer
{
    /// <summary>
    /// Creates the model. Layers with index i where (i + 1) % <paramref name="moeEvery"/> == 0 get <paramref name="experts"/>
    /// experts of width <paramref name="ff"/> behind a top-<paramref name="topK"/> router; the others a dense feed-forward block.
    /// </summary>
    public static ModularModel Create(int vocab, int dModel, int layers, int heads, int ff, int classes, int experts, int topK,
        float capacityFactor = 1.25f, float auxLossWeight = 0.01f, float zLossWeight = 0.001f, int maxLength = 64, int moeEvery = 1,
        int seed = 0, string? routeLabelKey = null, IReadOnlyList<string>? routeLabelNames = null)
    {
        if (moeEvery < 1) throw new ConfigurationException($"MoeTransformer: moeEvery must be ≥ 1, got {moeEvery}.");
        if (experts < 1) throw new ConfigurationException($"MoeTransformer: experts must be ≥ 1, got {experts}.");
        bool IsExpertLayer(int layer) => (layer + 1) % moeEvery == 0;
        var frame = new TransformerClassifier(vocab, dModel, layers, heads, ff, classes, maxLength, new Rng((ulong)seed), 0f,
            (layer, rng) => IsExpertLayer(layer) ? new ZeroLayer(dModel) : new FeedForward(dModel, ff, rng));
        var model = frame.WithModules(seed);
        var sites = string.Join("|", Enumerable.Range(0, layers).Where(IsExpertLayer));
        if (sites.Length == 0) throw new ConfigurationException($"MoeTransformer: with {layers} layers and moeEvery = {moeEvery} no layer gets experts.");
        var names = Enumerable.Range(0, experts).Select(e => $"expert{e}").ToList();
        foreach (var name in names) model.Attach($"layers.{sites}.feedForward", new Expert(ff), name);
        model.Active = new Mixture(Routers.TopK(topK, capacityFactor, balanceWeight: auxLossWeight, zLossWeight: zLossWeight), names);
        model.Trace = new RoutingTrace(routeLabelKey, routeLabelNames);
        return model;
    }

    /// <summary>
    /// Parameters a single token uses in <paramref name="model"/>: everything except, at each site of a top-k mixture,
    /// the modules it does not choose — k of its n (equal-sized) modules (for "same active parameters" comparisons).
    /// </summary>
    public static long ActiveParameterCount(ModularModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        long unused = 0;
        foreach (var mixture in (model.Active?.Descendants ?? []).OfType<Mixture>())
            foreach (var site in model.StateOf(mixture).Sites)
            {
                if (mixture.RouterAt(model, site) is not TopKRouter router) continue;
                long perModule = mixture.RoutedNames.Sum(n => site.Inventory[n].ParameterCount) / router.ModuleCount;
                unused += perModule * (router.ModuleCount - router.TopK);
            }
        return model.Base.ParameterCount - unused;
    }
}
