using System.Globalization;
using System.Text;
using Modular.Reports;

namespace Modular.Interactive.Rendering;

/// <summary>
/// Renders a <see cref="ParameterEfficiencyTable"/> as an HTML table in the layout of the PEFT literature. Optional
/// columns appear only when some row has data for them; the best metric is bold and Δ is coloured by sign.
/// </summary>
public static class EfficiencyTableHtml
{
    private const string Cell = "padding:5px 10px;border-bottom:1px solid #e5e7eb;white-space:nowrap";
    private const string Number = Cell + ";text-align:right;font-variant-numeric:tabular-nums";

    /// <summary>The table as an HTML figure (title, table, caption).</summary>
    public static string Render(ParameterEfficiencyTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var columns = Columns(table).ToList();
        var html = new StringBuilder("<table class=\"modular-peft\" style=\"border-collapse:collapse;font-size:13px\"><thead><tr>");
        foreach (var column in columns)
        {
            html.Append(Markup.Invariant,
                $"<th scope=\"col\" style=\"{(column.Numeric ? Number : Cell)};border-bottom:2px solid #9ca3af;font-weight:600\">{Markup.Escape(column.Header)}</th>");
        }
        html.Append("</tr></thead><tbody>");
        foreach (var row in table.Rows)
        {
            bool reference = ReferenceEquals(row, table.Reference);
            html.Append(reference ? "<tr style=\"background:#f6f8fa\">" : "<tr>");
            foreach (var column in columns)
            {
                html.Append(Markup.Invariant, $"<td style=\"{(column.Numeric ? Number : Cell)}\"{column.Tooltip(row)}>{column.Content(row)}</td>");
            }
            html.Append("</tr>");
        }
        html.Append("</tbody></table>");
        return Markup.Figure("peft-table", table.Title, html.ToString(), table.Caption);
    }

    /// <summary>One column: header, how a row's cell reads (already escaped HTML) and its hover text.</summary>
    private sealed record Column(string Header, bool Numeric, Func<ParameterEfficiencyRow, string> Content, Func<ParameterEfficiencyRow, string>? Hover = null)
    {
        public string Tooltip(ParameterEfficiencyRow row) => Hover is null ? "" : $" title=\"{Markup.Escape(Hover(row))}\"";
    }

    private static IEnumerable<Column> Columns(ParameterEfficiencyTable table)
    {
        yield return new("Method", false, r => $"<span style=\"font-weight:500\">{Markup.Escape(r.Method)}</span>");
        yield return new("Module", false, r => $"<span style=\"color:{Markup.MutedColor}\">{Markup.Escape(r.ModuleType)}</span>");
        yield return new("Trainable", true, r => NumberText.Compact(r.TrainableParameters), r => NumberText.Count(r.TrainableParameters) + " trainable parameters");
        yield return new("Total", true, r => NumberText.Compact(r.TotalParameters), r => NumberText.Count(r.TotalParameters) + " parameters in all");
        yield return new("% of base", true, r => ShareBar(r.PercentOfBase) + NumberText.Percent(r.PercentOfBase),
            r => $"{NumberText.Count(r.TrainableParameters)} of {NumberText.Count(r.BaseParameters)} base-model parameters");
        if (table.Rows.Any(r => r.PerUnit is not null))
        {
            yield return new("Per unit", true, r => r.PerUnit is { } u ? $"{NumberText.Compact(u.Parameters)} / {Markup.Escape(u.Unit)}" : "",
                r => r.PerUnit is { } u ? $"{NumberText.Count(u.Parameters)} parameters per {u.Unit}" : "");
        }
        if (table.Rows.Any(r => r.SizeOnDiskBytes is not null))
        {
            yield return new("Size on disk", true, r => r.SizeOnDiskBytes is { } b ? NumberText.Bytes(b) : "",
                r => r.SizeOnDiskBytes is { } b ? NumberText.Count(b) + " bytes" : "");
        }
        if (table.MetricName is { } metric)
        {
            // One number of decimals for the whole column, set by the spreads, so means and Δs line up.
            int? decimals = table.Rows.Select(r => r.Metric?.StandardDeviation is { } sd ? NumberText.SpreadDecimals(sd) : null).Max();
            var best = table.Best;
            yield return new(metric, true, r => r.Metric is null ? "" : ReferenceEquals(r, best) ? $"<b>{MetricText(r.Metric, decimals)}</b>" : MetricText(r.Metric, decimals),
                r => r.Metric?.Runs is { } runs ? $"mean ± standard deviation over {runs} runs" : "");
            if (table.Reference?.Metric is not null)
            {
                yield return new($"Δ vs {table.ReferenceMethod}", true, r => DeltaText(table, r, decimals));
            }
        }
    }

    private static string MetricText(Measurement m, int? decimals) =>
        Markup.Escape(m.StandardDeviation is { } sd ? NumberText.MeanAndSpread(m.Mean, sd, decimals)
            : decimals is { } d ? NumberText.Fixed(m.Mean, d) : NumberText.Significant(m.Mean, 4));

    private static string DeltaText(ParameterEfficiencyTable table, ParameterEfficiencyRow row, int? decimals)
    {
        if (ReferenceEquals(row, table.Reference) || table.DeltaToReference(row) is not { } delta) return "";
        bool better = table.HigherIsBetter ? delta >= 0 : delta <= 0;
        string sign = delta > 0 ? "+" : delta < 0 ? "−" : "±";
        string magnitude = decimals is { } d ? NumberText.Fixed(Math.Abs(delta), d) : NumberText.Significant(Math.Abs(delta), 3);
        return string.Create(CultureInfo.InvariantCulture, $"<span style=\"color:{(better ? "#137333" : "#c5221f")}\">{sign}{magnitude}</span>");
    }

    /// <summary>A small bar whose length is the share on a log scale from 0.001% to 100%, so 0.1% and 1% look different.</summary>
    private static string ShareBar(double percent)
    {
        double fraction = percent <= 0.001 ? 0 : Math.Clamp((Math.Log10(percent) + 3) / 5, 0, 1);
        return string.Create(CultureInfo.InvariantCulture,
            $"<span aria-hidden=\"true\" style=\"display:inline-block;vertical-align:middle;width:48px;height:6px;margin-right:6px;background:#eef2f7;border-radius:3px\"><span style=\"display:block;width:{fraction * 48:0.#}px;height:6px;background:#4e79a7;border-radius:3px\"></span></span>");
    }
}
