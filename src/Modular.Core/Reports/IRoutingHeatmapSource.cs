namespace Modular.Reports;

/// <summary>A model whose routing decisions were recorded and can be shown as heatmaps; <c>#!routing-heatmap</c> uses it.</summary>
public interface IRoutingHeatmapSource
{
    /// <summary>Names of the routed sites, e.g. "layers.3.ff"; the first is the default.</summary>
    IReadOnlyList<string> RoutedLayers { get; }

    /// <summary>What routing can be grouped by along the heatmap's columns, e.g. "token", "task", "script"; the first is the default.</summary>
    IReadOnlyList<string> RoutingGroupings { get; }

    /// <summary>Routing at <paramref name="layer"/> (one of <see cref="RoutedLayers"/>) as modules × groups of <paramref name="groupBy"/> (one of <see cref="RoutingGroupings"/>), unnormalised.</summary>
    Heatmap RoutingHeatmap(string layer, string groupBy);
}
