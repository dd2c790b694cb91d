using System.Text;
using System.Text.Json;
using Modular.Reports;

namespace Modular.Interactive.Rendering;

/// <summary>
/// Exports heatmaps and training curves as Plotly figure JSON (the plotly.js schema: <c>{"data": [...], "layout": {...}}</c>)
/// for readers who want zooming and panning; pass it to <c>Plotly.newPlot(div, figure)</c> or display it with <see cref="MimeType"/>.
/// </summary>
public static class PlotlyFigure
{
    /// <summary>The MIME type under which Jupyter front ends render Plotly figures.</summary>
    public const string MimeType = "application/vnd.plotly.v1+json";

    /// <summary>A figure with one <c>heatmap</c> trace; missing values become null (gaps) and row 0 is drawn at the top as in the SVG.</summary>
    public static string FromHeatmap(Heatmap heatmap)
    {
        ArgumentNullException.ThrowIfNull(heatmap);
        var (low, high) = heatmap.ColorRange;
        return Write(json =>
        {
            json.WriteStartArray("data");
            json.WriteStartObject();
            json.WriteString("type", "heatmap");
            json.WriteStartArray("z");
            for (int r = 0; r < heatmap.Rows; r++)
            {
                json.WriteStartArray();
                for (int c = 0; c < heatmap.Columns; c++)
                {
                    if (double.IsNaN(heatmap[r, c])) json.WriteNullValue();
                    else json.WriteNumberValue(heatmap[r, c]);
                }
                json.WriteEndArray();
            }
            json.WriteEndArray();
            WriteStrings(json, "x", heatmap.ColumnLabels);
            WriteStrings(json, "y", heatmap.RowLabels);
            json.WriteNumber("zmin", low);
            json.WriteNumber("zmax", high);
            json.WriteString("colorscale", low < 0 && high > 0 ? "RdBu" : "Viridis");
            if (low < 0 && high > 0) json.WriteBoolean("reversescale", true);
            json.WriteEndObject();
            json.WriteEndArray();

            json.WriteStartObject("layout");
            WriteTitle(json, heatmap.Title);
            WriteAxis(json, "xaxis", heatmap.ColumnAxisName, reversed: false);
            WriteAxis(json, "yaxis", heatmap.RowAxisName, reversed: true);
            json.WriteEndObject();
        });
    }

    /// <summary>A figure with one <c>scatter</c> line per run and series; the loss on the upper y-axis, metrics on a second one below.</summary>
    public static string FromHistory(TrainingHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var runs = history.Runs;
        bool hasMetrics = history.SeriesNames.Any(n => n != TrainingRecord.LossName);
        return Write(json =>
        {
            json.WriteStartArray("data");
            for (int i = 0; i < runs.Count; i++)
            {
                foreach (string series in runs[i].SeriesNames)
                {
                    var points = runs[i].Series(series);
                    json.WriteStartObject();
                    json.WriteString("type", "scatter");
                    json.WriteString("mode", "lines");
                    json.WriteString("name", $"{runs[i].Name}: {series}");
                    json.WriteStartArray("x");
                    foreach (var (step, _) in points) json.WriteNumberValue(step);
                    json.WriteEndArray();
                    json.WriteStartArray("y");
                    foreach (var (_, value) in points)
                    {
                        if (double.IsFinite(value)) json.WriteNumberValue(value);
                        else json.WriteNullValue();
                    }
                    json.WriteEndArray();
                    if (series != TrainingRecord.LossName) json.WriteString("yaxis", "y2");
                    json.WriteStartObject("line");
                    json.WriteString("color", Palette.Color(i));
                    if (series != TrainingRecord.LossName) json.WriteString("dash", "dot");
                    json.WriteEndObject();
                    json.WriteEndObject();
                }
            }
            json.WriteEndArray();

            json.WriteStartObject("layout");
            WriteTitle(json, history.Title);
            WriteAxis(json, "xaxis", "step", reversed: false);
            json.WriteStartObject("yaxis");
            WriteTitle(json, TrainingRecord.LossName);
            if (hasMetrics) WriteDomain(json, 0.55, 1);
            json.WriteEndObject();
            if (hasMetrics)
            {
                json.WriteStartObject("yaxis2");
                WriteTitle(json, "metrics");
                WriteDomain(json, 0, 0.45);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        });
    }

    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (string value in values) json.WriteStringValue(value);
        json.WriteEndArray();
    }

    private static void WriteTitle(Utf8JsonWriter json, string? title)
    {
        if (title is null) return;
        json.WriteStartObject("title");
        json.WriteString("text", title);
        json.WriteEndObject();
    }

    private static void WriteAxis(Utf8JsonWriter json, string axis, string? title, bool reversed)
    {
        json.WriteStartObject(axis);
        WriteTitle(json, title);
        if (reversed) json.WriteString("autorange", "reversed");
        json.WriteEndObject();
    }

    private static void WriteDomain(Utf8JsonWriter json, double from, double to)
    {
        json.WriteStartArray("domain");
        json.WriteNumberValue(from);
        json.WriteNumberValue(to);
        json.WriteEndArray();
    }
}
