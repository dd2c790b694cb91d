using Modular.NN;
using Modular.Routing;
using Modular.Tensors;

namespace Modular.Computation;

/// <summary>
/// Adapters whose weights a hypernetwork generates (HyperFormer, Karimi Mahabadi et al., 2021; Hyper-X, Üstün et
/// al., 2022): a small MLP maps [condition embedding; layer embedding] to the down and up projections of a
/// bottleneck adapter for that layer. The condition is a per-example id from the batch metadata (task or language),
/// so one set of hypernetwork parameters serves every condition and layer; only the hypernetwork and the embeddings
/// train.
/// </summary>
public sealed class HyperAdapter : IModuleSpec
{
    /// <summary>Creates the recipe.</summary>
    /// <param name="conditionKey">Metadata key of the condition id (e.g. "task").</param>
    /// <param name="conditions">Number of distinct condition ids.</param>
    /// <param name="embedding">Size of the condition and layer embeddings.</param>
    /// <param name="hidden">Hidden size of the hypernetwork MLP.</param>
    /// <param name="bottleneck">Size of the generated adapters' bottleneck.</param>
    public HyperAdapter(string conditionKey = "task", int conditions = 1, int embedding = 16, int hidden = 32, int bottleneck = 8)
    {
        if (string.IsNullOrWhiteSpace(conditionKey)) throw new ConfigurationException("HyperAdapter needs a metadata key for its condition (e.g. \"task\").");
        if (conditions < 1 || embedding < 1 || hidden < 1 || bottleneck < 1) throw new ConfigurationException($"HyperAdapter: conditions ({conditions}), embedding ({embedding}), hidden ({hidden}) and bottleneck ({bottleneck}) must all be ≥ 1.");
        ConditionKey = conditionKey;
        Conditions = conditions;
        Embedding = embedding;
        Hidden = hidden;
        Bottleneck = bottleneck;
    }

    /// <summary>Metadata key of the condition.</summary>
    public string ConditionKey { get; }

    /// <summary>Number of condition ids.</summary>
    public int Conditions { get; }

    /// <summary>Embedding size.</summary>
    public int Embedding { get; }

    /// <summary>MLP hidden size.</summary>
    public int Hidden { get; }

    /// <summary>Generated bottleneck size.</summary>
    public int Bottleneck { get; }

    /// <inheritdoc/>
    public string Method => "Hypernetwork adapter";

    /// <inheritdoc/>
    public string DefaultTargets => "layers.*.feedForward";

    /// <inheritdoc/>
    public string? RejectHost(Module host) => global::Modular.Computation.Bottleneck.OutputWidth(host) is null ? $"a generated adapter follows a layer that tells its output width ({nameof(IHostLayer)}: a feed-forward or attention block, …); this is a {host?.GetType().Name}" : null;

    /// <inheritdoc/>
    public IReadOnlyList<ComputationModule> CreateModules(IReadOnlyList<(string Path, Module Host)> hosts, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        var widths = hosts.Select(h => global::Modular.Computation.Bottleneck.OutputWidth(h.Host)!.Value).Distinct().ToList();
        if (widths.Count != 1) throw new ConfigurationException($"HyperAdapter: one hypernetwork generates adapters of one width, but the targets have widths {string.Join(", ", widths)}.");
        var hypernetwork = new AdapterHypernetwork(widths[0], Bottleneck, Conditions, hosts.Count, Embedding, Hidden, rng);
        return hosts.Select((_, layer) => (ComputationModule)new GeneratedAdapterModule(hypernetwork, layer, ConditionKey)).ToList();
    }
}

/// <summary>Generates bottleneck adapter weights for (condition, layer) pairs.</summary>
public sealed class AdapterHypernetwork : Module
{
    /// <summary>Creates the embeddings and the MLP; the generated up projection starts at zero.</summary>
    public AdapterHypernetwork(int dimension, int bottleneck, int conditions, int layers, int embedding, int hidden, Rng rng)
    {
        Dimension = dimension;
        BottleneckSize = bottleneck;
        using (var c = Tensor.Normal(rng, 0f, 0.1f, conditions, embedding)) ConditionEmbeddings = AddParameter("conditions", c);
        using (var l = Tensor.Normal(rng, 0f, 0.1f, layers, embedding)) LayerEmbeddings = AddParameter("layers", l);
        Hidden = Add("hidden", new Linear(2 * embedding, hidden, rng));
        DownGenerator = Add("down", new Linear(hidden, dimension * bottleneck + bottleneck, rng));
        UpGenerator = Add("up", new Linear(hidden, bottleneck * dimension + dimension, rng));
        using var zeroW = Tensor.Zeros(UpGenerator.OutFeatures, hidden);
        using var zeroB = Tensor.Zeros(UpGenerator.OutFeatures);
        UpGenerator.Weight.Assign(zeroW);
        UpGenerator.Bias!.Assign(zeroB);
    }

    /// <summary>Width of the adapted layer.</summary>
    public int Dimension { get; }

    /// <summary>Generated bottleneck size.</summary>
    public int BottleneckSize { get; }

    /// <summary>One embedding per condition id.</summary>
    public Parameter ConditionEmbeddings { get; }

    /// <summary>One embedding per adapted layer.</summary>
    public Parameter LayerEmbeddings { get; }

    /// <summary>[condition; layer] → hidden.</summary>
    public Linear Hidden { get; }

    /// <summary>hidden → down weights and bias.</summary>
    public Linear DownGenerator { get; }

    /// <summary>hidden → up weights and bias.</summary>
    public Linear UpGenerator { get; }

    /// <summary>The adapter weights for one condition and layer: down [b, d], down bias [b], up [d, b], up bias [d].</summary>
    public (Tensor Down, Tensor DownBias, Tensor Up, Tensor UpBias) Generate(int condition, int layer)
    {
        if ((uint)condition >= (uint)ConditionEmbeddings.Size(0))
            throw new IndexOutOfRangeModularException($"AdapterHypernetwork: condition id {condition} is outside [0, {ConditionEmbeddings.Size(0)}); create the HyperAdapter with conditions ≥ {condition + 1}.");
        var c = ConditionEmbeddings.Narrow(0, condition, 1);
        var l = LayerEmbeddings.Narrow(0, layer, 1);
        var h = Hidden.Forward(Tensor.Cat([c, l], 1)).Relu();
        int d = Dimension, b = BottleneckSize;
        var down = DownGenerator.Forward(h).Reshape(-1);
        var up = UpGenerator.Forward(h).Reshape(-1);
        return (down.Narrow(0, 0, b * d).Reshape(b, d), down.Narrow(0, b * d, b), up.Narrow(0, 0, d * b).Reshape(d, b), up.Narrow(0, d * b, d));
    }
}

/// <summary>A sequential adapter at one layer whose weights come from the shared hypernetwork, per example's condition.</summary>
public sealed class GeneratedAdapterModule : ComputationModule
{
    /// <summary>Uses <paramref name="hypernetwork"/> for layer <paramref name="layer"/>, conditioned on metadata <paramref name="conditionKey"/>.</summary>
    public GeneratedAdapterModule(AdapterHypernetwork hypernetwork, int layer, string conditionKey)
    {
        Hypernetwork = Add("hypernetwork", hypernetwork);
        Layer = layer;
        ConditionKey = conditionKey;
    }

    /// <summary>The shared generator.</summary>
    public AdapterHypernetwork Hypernetwork { get; }

    /// <summary>This site's layer index.</summary>
    public int Layer { get; }

    /// <summary>Metadata key of the condition id.</summary>
    public string ConditionKey { get; }

    /// <inheritdoc/>
    public override CompositionKind Composition => CompositionKind.Function;

    /// <inheritdoc/>
    public override string Description => $"layer {Layer}, by {ConditionKey}";

    /// <inheritdoc/>
    public override Tensor Apply(Tensor input, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var ids = (ForwardContext.Current ?? throw new ConfigurationException($"The hypernetwork adapter needs the batch's '{ConditionKey}' ids; run the model through ModularModel.Forward with metadata.")).Ids(ConditionKey);
        if (ids.Length != output.Size(0)) throw new ShapeMismatchException($"Hypernetwork adapter: {ids.Length} '{ConditionKey}' ids for a batch of {output.Size(0)}.");
        return Dispatch.ByExample(ids, (id, rows) => Adapt(Dispatch.Rows(output, rows), id), $"Hypernetwork adapter (layer {Layer}, by '{ConditionKey}')");
    }

    private Tensor Adapt(Tensor h, int condition)
    {
        var (down, downBias, up, upBias) = Hypernetwork.Generate(condition, Layer);
        return h.Add(h.Linear(down, downBias).Relu().Linear(up, upBias));
    }
}
