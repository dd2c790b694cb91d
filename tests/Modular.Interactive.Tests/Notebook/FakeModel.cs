using Modular.Reports;

namespace Modular.Interactive.Tests.Notebook;

/// <summary>Stands in for a model type (which lives in other layers): provides every report through the provider interfaces, with no formatter attribute.</summary>
internal sealed class FakeModel : IModelSummarySource, IParameterEfficiencySource, IRoutingHeatmapSource
{
    public List<(string Layer, string GroupBy)> HeatmapRequests { get; } = [];

    public ModelSummary Summarize() => DemoReports.LoraModel();

    public ParameterEfficiencyRow DescribeParameterEfficiency() => DemoReports.Comparison().Rows[2];

    public IReadOnlyList<string> RoutedLayers => ["layers.0.ff", "layers.1.ff", "layers.2.ff"];

    public IReadOnlyList<string> RoutingGroupings => ["token", "script"];

    public Heatmap RoutingHeatmap(string layer, string groupBy)
    {
        HeatmapRequests.Add((layer, groupBy));
        return new Heatmap(new double[,] { { 3, 1 }, { 1, 3 } }, ["expert 0", "expert 1"], ["Latin", "Cyrillic"]) { Title = $"{layer} by {groupBy}" };
    }
}
