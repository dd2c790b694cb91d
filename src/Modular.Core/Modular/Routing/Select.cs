using Modular.Aggregation;
using Modular.NN;
using Modular.Tensors;

namespace Modular.Routing;

/// <summary>
/// Fixed routing by metadata: each example goes to the block mapped to its id under <see cref="Key"/> (a task id,
/// a language id, …). Mixed batches are split by id, each group runs through its own block, and the rows are put
/// back in place — like AdapterHub's BatchSplit, but driven by per-example metadata.
/// </summary>
public sealed class Select : Block
{
    private readonly Dictionary<int, Block> routes;

    /// <summary>Id i goes to <paramref name="blocks"/>[i].</summary>
    public Select(string key, params Block[] blocks)
        : this(key, (blocks ?? throw new ArgumentNullException(nameof(blocks))).Select((b, i) => (i, b)).ToDictionary(e => e.i, e => e.b)) { }

    /// <summary>Each id goes to its mapped block.</summary>
    public Select(string key, IReadOnlyDictionary<int, Block> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        if (string.IsNullOrWhiteSpace(key)) throw new ConfigurationException("Select needs a metadata key such as \"task\" or \"language\".");
        if (routes.Count == 0) throw new ConfigurationException($"Select(\"{key}\") needs at least one route.");
        Key = key;
        this.routes = routes.ToDictionary(e => e.Key, e => e.Value);
    }

    /// <summary>The metadata key read from <see cref="ForwardContext"/>.</summary>
    public string Key { get; }

    /// <summary>Id → block.</summary>
    public IReadOnlyDictionary<int, Block> Routes => routes;

    /// <inheritdoc/>
    public override IReadOnlyList<Block> Children => routes.OrderBy(e => e.Key).Select(e => e.Value).ToList();

    /// <inheritdoc/>
    public override IEnumerable<string> Names => Children.SelectMany(b => b.Names);

    /// <inheritdoc/>
    internal override Dictionary<string, int> Applications() =>
        Children.SelectMany(c => c.Applications()).GroupBy(a => a.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Max(a => a.Value), StringComparer.Ordinal);

    /// <summary>The block for one id, or a clear error naming the known ids.</summary>
    public Block Route(int id) => routes.TryGetValue(id, out var block) ? block
        : throw new ConfigurationException($"Select(\"{Key}\"): no module is mapped to {Key} id {id}. Known ids: {string.Join(", ", routes.Keys.Order().Select(k => $"{k} → {routes[k]}"))}.");

    /// <inheritdoc/>
    public override Tensor Apply(Site site, Tensor input, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var context = ForwardContext.Current ?? throw new ConfigurationException($"Select(\"{Key}\") at '{site.HostPath}' routes by per-example metadata, but no ForwardContext is open. Run the model through ModularModel.Forward with a batch that carries '{Key}' ids.");
        var ids = context.Ids(Key);
        int batch = output.Size(0);
        if (ids.Length != batch) throw new ShapeMismatchException($"Select(\"{Key}\") at '{site.HostPath}': the batch has {batch} examples but {ids.Length} '{Key}' ids.");
        site.Owner.Trace?.RecordFixed(site, this, ids);
        return Dispatch.ByExample(ids, (id, rows) => Route(id).Apply(site, Dispatch.Rows(input, rows), Dispatch.Rows(output, rows)), $"Select(\"{Key}\") at '{site.HostPath}'");
    }

    /// <inheritdoc/>
    public override string ToString() => $"Select({Key}: {string.Join(", ", routes.OrderBy(e => e.Key).Select(e => $"{e.Key} → {e.Value}"))})";
}
