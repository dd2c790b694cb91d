using System.Text;
using Modular.Reports;

namespace Modular.Interactive.Rendering;

/// <summary>Renders a <see cref="ResultsTable"/> as an HTML table: text left, numbers and measurements right-aligned.</summary>
public static class ResultsTableHtml
{
    private const string Cell = "padding:5px 10px;border-bottom:1px solid #e5e7eb;white-space:nowrap";
    private const string Number = Cell + ";text-align:right;font-variant-numeric:tabular-nums";

    /// <summary>The table as an HTML figure (title, table, caption).</summary>
    public static string Render(ResultsTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        bool Numeric(int column) => table.Rows.Any(r => r[column] is not (null or string));
        var html = new StringBuilder("<table class=\"modular-results\" style=\"border-collapse:collapse;font-size:13px\"><thead><tr>");
        for (int c = 0; c < table.Columns.Count; c++)
            html.Append(Markup.Invariant, $"<th scope=\"col\" style=\"{(Numeric(c) ? Number : Cell)};border-bottom:2px solid #9ca3af;font-weight:600\">{Markup.Escape(table.Columns[c])}</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var row in table.Rows)
        {
            html.Append("<tr>");
            for (int c = 0; c < row.Count; c++)
                html.Append(Markup.Invariant, $"<td style=\"{(Numeric(c) ? Number : Cell)}\">{Markup.Escape(table.Format(row[c]))}</td>");
            html.Append("</tr>");
        }
        html.Append("</tbody></table>");
        return Markup.Figure("results-table", table.Title, html.ToString(), table.Caption);
    }
}
