using System.Text.Json;
using Modular.Interactive.Rendering;

namespace Modular.Interactive.Tests.Rendering;

public class PlotlyFigureTests
{
    [Fact]
    public void A_heatmap_becomes_one_heatmap_trace_with_gaps_for_missing_values()
    {
        var heatmap = DemoReports.Allocation();
        using var figure = JsonDocument.Parse(PlotlyFigure.FromHeatmap(heatmap));
        var trace = figure.RootElement.GetProperty("data")[0];

        Assert.Equal("heatmap", trace.GetProperty("type").GetString());
        Assert.Equal(6, trace.GetProperty("z").GetArrayLength());
        Assert.Equal(8, trace.GetProperty("z")[0].GetArrayLength());
        Assert.Equal(heatmap[0, 0], trace.GetProperty("z")[0][0].GetDouble());
        Assert.Equal(JsonValueKind.Null, trace.GetProperty("z")[3][7].ValueKind);
        Assert.Equal("sw: NLI", trace.GetProperty("y")[3].GetString());
        Assert.Equal("Viridis", trace.GetProperty("colorscale").GetString());
        Assert.Equal("reversed", figure.RootElement.GetProperty("layout").GetProperty("yaxis").GetProperty("autorange").GetString());
        Assert.Equal(heatmap.Title, figure.RootElement.GetProperty("layout").GetProperty("title").GetProperty("text").GetString());
    }

    [Fact]
    public void Curves_become_one_line_per_run_and_series_with_metrics_on_a_second_axis()
    {
        using var figure = JsonDocument.Parse(PlotlyFigure.FromHistory(DemoReports.Curves()));
        var traces = figure.RootElement.GetProperty("data").EnumerateArray().ToList();

        Assert.Equal(["LoRA r=8: loss", "LoRA r=8: dev accuracy", "Full fine-tuning: loss", "Full fine-tuning: dev accuracy"],
            traces.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(60, traces[0].GetProperty("x").GetArrayLength());
        Assert.Equal(6, traces[1].GetProperty("y").GetArrayLength());
        Assert.Equal("y2", traces[1].GetProperty("yaxis").GetString());
        Assert.False(traces[0].TryGetProperty("yaxis", out _));
        Assert.True(figure.RootElement.GetProperty("layout").TryGetProperty("yaxis2", out _));
    }
}
