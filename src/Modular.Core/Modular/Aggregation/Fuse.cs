using Modular.NN;
using Modular.Tensors;

namespace Modular.Aggregation;

/// <summary>
/// AdapterFusion (Pfeiffer et al., 2021), representation aggregation by attention: at each site the host output h
/// gives the query, each fused module's output oᵢ gives a key and a value, and the result is Σᵢ αᵢ·V(oᵢ) with
/// α = softmax over modules of Q(h)·K(oᵢ). V starts as the identity, so an untrained fusion averages the modules.
/// The fusion layers train; the fused modules usually stay frozen (<see cref="ModularModel.TrainComposition"/>).
/// </summary>
public sealed class Fuse : Block
{
    private readonly Block[] blocks;

    /// <summary>Fuses the given blocks (at least two; names or stacks of names).</summary>
    public Fuse(params Block[] blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        if (blocks.Length < 2) throw new ConfigurationException($"Fuse needs at least two modules, got {blocks.Length}.");
        this.blocks = blocks;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<Block> Children => blocks;

    /// <inheritdoc/>
    protected override IReadOnlyList<Type>? AllowedChildren => [typeof(Use), typeof(Stack)];

    /// <inheritdoc/>
    public override IEnumerable<string> Names => blocks.SelectMany(b => b.Names);

    /// <summary>The fusion layer at each site where this block acts in <paramref name="model"/>.</summary>
    public IReadOnlyDictionary<Site, FusionLayer> LayersOf(ModularModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var state = model.StateOf(this);
        return state.Sites.ToDictionary(s => s, state.At<FusionLayer>);
    }

    /// <inheritdoc/>
    protected internal override void CreateState(ModularModel model, CompositionState state)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(state);
        // drawn from the model's own stream, so that two fusions in one model start apart
        var rng = model.Random.Fork();
        foreach (var site in model.Sites.Values.OrderBy(s => s.Index))
        {
            if (!Names.Any(n => site.Find(n) is not null)) continue;
            // query, keys and values all read host outputs (before and after each fused module)
            int d = site.OutputWidth("Fuse");
            state.Add(site, "fusion", new FusionLayer(d, rng));
        }
    }

    /// <inheritdoc/>
    public override Tensor Apply(Site site, Tensor input, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(site);
        var state = site.Owner.StateOf(this);
        if (!state.Covers(site)) return output;
        var outputs = blocks.Select(b => b.Apply(site, input, output)).ToList();
        if (outputs.Any(o => !o.Shape.Equals(output.Shape))) throw new ShapeMismatchException($"Fuse at '{site.HostPath}': fused modules must keep the output shape {output.Shape}.");
        return state.At<FusionLayer>(site).Forward(output, outputs);
    }
}

/// <summary>The query, key and value projections of AdapterFusion at one site.</summary>
public sealed class FusionLayer : Module
{
    /// <summary>Creates Q, K (small random) and V (identity) for width <paramref name="dimension"/>.</summary>
    public FusionLayer(int dimension, Rng rng)
    {
        Query = Add("query", new Linear(dimension, dimension, rng));
        Key = Add("key", new Linear(dimension, dimension, rng));
        Value = Add("value", new Linear(dimension, dimension, rng, bias: false));
        using var identity = Tensor.Zeros(dimension, dimension);
        for (int i = 0; i < dimension; i++) identity[i, i] = 1f;
        Value.Weight.Assign(identity);
    }

    /// <summary>Q.</summary>
    public Linear Query { get; }

    /// <summary>K.</summary>
    public Linear Key { get; }

    /// <summary>V.</summary>
    public Linear Value { get; }

    /// <summary>The attention weights of the last forward pass, [rows…, modules] (detached), for inspection.</summary>
    public Tensor? LastWeights { get; private set; }

    /// <summary>Σᵢ softmax(Q(h)·K(oᵢ))·V(oᵢ).</summary>
    public Tensor Forward(Tensor hidden, IReadOnlyList<Tensor> outputs)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        ArgumentNullException.ThrowIfNull(outputs);
        var stacked = Tensor.Stack(outputs, -2);                   // [..., n, d]
        var query = Query.Forward(hidden).Unsqueeze(-1);           // [..., d, 1]
        var scores = Key.Forward(stacked).MatMul(query).Squeeze(-1); // [..., n]
        var weights = scores.Softmax(-1);
        LastWeights = weights.Detach();
        return weights.Unsqueeze(-2).MatMul(Value.Forward(stacked)).Squeeze(-2);
    }
}
