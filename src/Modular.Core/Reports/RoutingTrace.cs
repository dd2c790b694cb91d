namespace Modular.Reports;

/// <summary>
/// Routing decisions recorded during forward passes, aggregated per site: how often each module was chosen for
/// each label (task, language, script, …), the mean router probability and load per module, dropped tokens and
/// routing entropy. Heatmaps (modules × labels), load bars and the Switch balance statistics are read from it.
/// </summary>
[TypeFormatterSource(ReportFormatting.FormatterSource)]
public sealed class RoutingTrace : IRoutingHeatmapSource
{
    private readonly Dictionary<string, SiteRouting> sites = new(StringComparer.Ordinal);
    private readonly List<string> order = [];

    /// <summary>
    /// Records decisions labelled by the metadata key <paramref name="labelKey"/> (e.g. <c>"language"</c>), whose ids
    /// <paramref name="labelNames"/> names; without a key every decision gets the label "all".
    /// </summary>
    public RoutingTrace(string? labelKey = null, IReadOnlyList<string>? labelNames = null)
    {
        LabelKey = labelKey;
        LabelNames = labelNames ?? [];
    }

    /// <summary>The metadata key whose ids label each decision, or null.</summary>
    public string? LabelKey { get; }

    /// <summary>Names of label ids (id i → LabelNames[i]); ids beyond the list are shown as numbers.</summary>
    public IReadOnlyList<string> LabelNames { get; }

    /// <summary>The sites that recorded anything, in the order they first did.</summary>
    public IReadOnlyList<SiteRouting> Sites => order.Select(s => sites[s]).ToList();

    /// <summary>The record of one site by its path (or a unique suffix of it, e.g. <c>layers.3.feedForward</c>).</summary>
    public SiteRouting this[string site]
    {
        get
        {
            if (sites.TryGetValue(site, out var exact)) return exact;
            // whole path segments only: "1.feedForward" must not match "layers.11.feedForward"
            var matches = order.Where(s => s.EndsWith($".{site}", StringComparison.Ordinal)).ToList();
            return matches.Count == 1 ? sites[matches[0]]
                : throw new ConfigurationException($"The routing trace has {(matches.Count == 0 ? "no" : "several")} site{(matches.Count == 0 ? "" : "s")} matching '{site}'. Recorded sites: {(order.Count == 0 ? "none (was a trace set before the forward pass?)" : string.Join(", ", order))}.");
        }
    }

    /// <summary>The record of the <paramref name="index"/>-th recorded site.</summary>
    public SiteRouting this[int index] => index >= 0 && index < order.Count ? sites[order[index]]
        : throw new ConfigurationException($"The routing trace has {order.Count} sites; index {index} is out of range.");

    /// <summary>
    /// Modules × labels at <paramref name="site"/> (path, unique suffix such as <c>layers.3.feedForward</c>, or index as text):
    /// how much routing weight each module received from examples of each label; columns normalised to sum to 1 when
    /// <paramref name="normalizeColumns"/>.
    /// </summary>
    public Heatmap Heatmap(string site, bool normalizeColumns = false, string? title = null)
    {
        var record = Find(site);
        return new Heatmap(record.ModuleByLabel(normalizeColumns), record.Modules, record.LabelNames)
        {
            Title = title ?? $"Routing at {record.Site}",
            RowAxisName = "module",
            ColumnAxisName = LabelKey ?? "all",
            Caption = $"{record.Tokens:N0} routed, {record.DroppedRate:P1} dropped, mean entropy {record.MeanEntropy:F2} nats{(normalizeColumns ? "; each column sums to 1" : "")}",
        };
    }

    /// <summary>A site by path (which wins, since the layers of a Sequential are named 0, 1, …), by index as text, or by path suffix.</summary>
    private SiteRouting Find(string site) =>
        sites.TryGetValue(site, out var exact) ? exact
        : int.TryParse(site, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int index) ? this[index]
        : this[site];

    /// <summary>Assignments per module at a site, as expert-load bars.</summary>
    public ExpertLoad Load(string site, string? title = null)
    {
        var record = Find(site);
        return new ExpertLoad(record.Load.Select((l, i) => (long)Math.Round(l) + record.Overflow[i]).ToList(), record.Overflow, expertNames: record.Modules)
        {
            Title = title ?? $"Load at {record.Site}",
            Caption = $"assignments routed to each expert, those over capacity dropped; {record.Dropped:N0} of {record.Tokens:N0} tokens lost every expert ({record.DroppedRate:P1})",
        };
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> RoutedLayers => order;

    /// <inheritdoc/>
    public IReadOnlyList<string> RoutingGroupings => [LabelKey ?? "all"];

    /// <inheritdoc/>
    public Heatmap RoutingHeatmap(string layer, string groupBy)
    {
        if (groupBy != (LabelKey ?? "all"))
            throw new ConfigurationException($"This routing trace groups decisions by '{LabelKey ?? "all"}', not '{groupBy}'; record another trace with new RoutingTrace(\"{groupBy}\", names) to group by it.");
        return Heatmap(layer);
    }

    /// <summary>Forgets everything recorded.</summary>
    public void Clear()
    {
        sites.Clear();
        order.Clear();
    }

    /// <summary>The name of label id <paramref name="id"/>.</summary>
    public string LabelName(int id) => id >= 0 && id < LabelNames.Count ? LabelNames[id] : id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The record for <paramref name="site"/>, created with the given module names on first use.</summary>
    public SiteRouting For(string site, IReadOnlyList<string> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        if (!sites.TryGetValue(site, out var record))
        {
            record = new SiteRouting(site, modules, this);
            sites[site] = record;
            order.Add(site);
        }
        return record;
    }

    /// <summary>The label of each row from the open forward context (all rows "all" when there is no label key).</summary>
    internal int[]? RowLabels()
    {
        if (LabelKey is null) return null;
        var context = NN.ForwardContext.Current;
        return context is not null && context.Metadata.TryGetValue(LabelKey, out var ids) ? ids : null;
    }

    internal void RecordFixed(Site site, Routing.Select select, int[] ids)
    {
        // Fixed routing sends example i to the block of its id: count (block, label) pairs, wherever the Select is nested.
        var modules = select.Routes.OrderBy(e => e.Key).Select(e => e.Value.ToString()).ToList();
        var record = For(site.HostPath, modules);
        var labels = RowLabels();
        for (int row = 0; row < ids.Length; row++)
        {
            int module = modules.IndexOf(select.Route(ids[row]).ToString());
            record.Add(module, labels?[row] ?? -1, 1.0);
        }
        record.AddTokens(ids.Length, 0);
    }
}
