using Modular.NN;
using Modular.Reports;
using Modular.Tensors;

namespace Modular.CaseStudies;

/// <summary>
/// The mixture-of-experts Transformer case study: a classifier whose feed-forward blocks (in every
/// <c>moeEvery</c>-th layer) are mixtures of experts with learned soft top-k routing per token, expert capacity and
/// the Switch load-balancing and z-losses. Every routing decision is recorded in <see cref="Routing"/>, labelled by
/// the batch metadata key given at creation (e.g. the script or language of each example).
/// </summary>
public sealed class MoeTransformer : TransformerClassifier, IRoutingHeatmapSource
{
    private MoeTransformer(int vocabulary, int dimension, int layers, int heads, int feedForward, int classes, int maxLength, Rng rng, Func<int, Rng, Layer> blocks, RoutingTrace routing)
        : base(vocabulary, dimension, layers, heads, feedForward, classes, maxLength, rng, 0f, blocks)
    {
        Routing = routing;
        foreach (var (path, moe) in ExpertLayers) moe.Recording = (routing, path);
    }

    /// <summary>Creates the model. Layers with index i where (i + 1) % <paramref name="moeEvery"/> == 0 get a mixture of experts.</summary>
    public static MoeTransformer Create(int vocab, int dModel, int layers, int heads, int ff, int classes, int experts, int topK,
        float capacityFactor = 1.25f, float auxLossWeight = 0.01f, float zLossWeight = 0.001f, int maxLength = 64, int moeEvery = 1,
        int seed = 0, string? routeLabelKey = null, IReadOnlyList<string>? routeLabelNames = null)
    {
        if (moeEvery < 1) throw new ConfigurationException($"MoeTransformer: moeEvery must be ≥ 1, got {moeEvery}.");
        Layer Block(int layer, Rng rng) => (layer + 1) % moeEvery == 0
            ? new MixtureOfExperts(dModel, ff, experts, topK, rng, capacityFactor, auxLossWeight, zLossWeight)
            : new FeedForward(dModel, ff, rng);
        return new MoeTransformer(vocab, dModel, layers, heads, ff, classes, maxLength, new Rng((ulong)seed), Block, new RoutingTrace(routeLabelKey, routeLabelNames));
    }

    /// <summary>Routing statistics of every expert layer since the last <see cref="RoutingTrace.Clear"/>.</summary>
    public RoutingTrace Routing { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> RoutedLayers => Routing.RoutedLayers;

    /// <inheritdoc/>
    public IReadOnlyList<string> RoutingGroupings => Routing.RoutingGroupings;

    /// <inheritdoc/>
    public Heatmap RoutingHeatmap(string layer, string groupBy) => Routing.RoutingHeatmap(layer, groupBy);

    /// <summary>The mixture-of-experts layers with their paths.</summary>
    public IReadOnlyList<(string Path, MixtureOfExperts Layer)> ExpertLayers =>
        Layers.Items.Select((l, i) => (Path: $"layers.{i}.feedForward", l.FeedForwardBlock)).Where(e => e.FeedForwardBlock is MixtureOfExperts)
            .Select(e => (e.Path, (MixtureOfExperts)e.FeedForwardBlock)).ToList();

    /// <summary>Parameters a single token uses: the dense parts plus k experts per expert layer (for "same active parameters" comparisons).</summary>
    public long ActiveParameterCount =>
        ParameterCount - ExpertLayers.Sum(e => e.Layer.Experts.Items.Skip(e.Layer.Router.TopK).Sum(x => x.ParameterCount));
}
