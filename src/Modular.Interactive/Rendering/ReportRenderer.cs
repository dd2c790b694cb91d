using Modular.NN;
using Modular.Reports;

namespace Modular.Interactive.Rendering;

/// <summary>
/// The one entry point from any displayable object to HTML: report data, the models that provide it
/// (<see cref="IModelSummarySource"/>, <see cref="IParameterEfficiencySource"/>, <see cref="IRoutingHeatmapSource"/>) and plain text.
/// Formatters, magic commands and HTML reports all render through here.
/// </summary>
public static class ReportRenderer
{
    /// <summary>What can be rendered, for error messages and explicit formatter registration.</summary>
    public static IReadOnlyList<Type> RenderableTypes { get; } =
    [
        typeof(Heatmap), typeof(ParameterEfficiencyTable), typeof(ResultsTable), typeof(TrainingHistory), typeof(TrainingRun), typeof(ExpertLoad),
        typeof(ModelSummary), typeof(TrainingProgress), typeof(IModelSummarySource), typeof(IParameterEfficiencySource),
        typeof(IRoutingHeatmapSource), typeof(Module),
    ];

    /// <summary>Whether <see cref="ToHtml"/> accepts <paramref name="value"/>.</summary>
    public static bool CanRender(object? value) => value is string || value is not null && RenderableTypes.Any(t => t.IsInstanceOfType(value));

    /// <summary>
    /// Renders <paramref name="value"/> as a self-contained HTML fragment (inline styles and SVG, no scripts).
    /// A model that provides several reports renders as its summary; a string renders as an escaped paragraph.
    /// </summary>
    public static string ToHtml(object value) => value switch
    {
        Heatmap heatmap => HeatmapSvg.Render(heatmap),
        ParameterEfficiencyTable table => EfficiencyTableHtml.Render(table),
        ResultsTable results => ResultsTableHtml.Render(results),
        TrainingHistory history => TrainingCurvesSvg.Render(history),
        TrainingRun run => TrainingCurvesSvg.Render(new TrainingHistory(run)),
        ExpertLoad load => ExpertLoadSvg.Render(load),
        ModelSummary summary => ModelSummaryHtml.Render(summary),
        TrainingProgress progress => ProgressLine.Html(progress, []),
        IModelSummarySource model => ModelSummaryHtml.Render(model.Summarize()),
        Module module => ModelSummaryHtml.Render(module.Summarize()),
        IParameterEfficiencySource model => EfficiencyTableHtml.Render(new ParameterEfficiencyTable([model.DescribeParameterEfficiency()])),
        IRoutingHeatmapSource { RoutedLayers: [var layer, ..], RoutingGroupings: [var groupBy, ..] } routing => HeatmapSvg.Render(routing.RoutingHeatmap(layer, groupBy)),
        string text => $"<p style=\"font-family:{Markup.FontFamily};font-size:14px;color:{Markup.TextColor};max-width:760px\">{Markup.Escape(text)}</p>",
        null => throw new ArgumentNullException(nameof(value)),
        _ => throw new ConfigurationException(
            $"Modular cannot render a {value.GetType().Name}; it renders {string.Join(", ", RenderableTypes.Select(t => t.Name))} and strings."),
    };
}
