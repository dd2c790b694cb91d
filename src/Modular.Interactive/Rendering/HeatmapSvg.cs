using System.Text;
using Modular.Reports;

namespace Modular.Interactive.Rendering;

/// <summary>
/// Draws a <see cref="Heatmap"/> as inline SVG: one rect per cell with its value on hover, row labels on the left,
/// column labels below (rotated and thinned when many), a colour legend on the right and the title and caption around it.
/// Cell size adapts so that 2 and 200 columns both read well.
/// </summary>
public static class HeatmapSvg
{
    private const double TargetGridWidth = 720;
    private const double Pad = 8;
    private const double AxisNameBand = 20;
    private const double LegendBarWidth = 14;
    private const int LegendSlices = 48;

    /// <summary>The heatmap as an HTML figure (title, SVG, caption).</summary>
    public static string Render(Heatmap heatmap)
    {
        ArgumentNullException.ThrowIfNull(heatmap);
        return Markup.Figure("heatmap", heatmap.Title, Svg(heatmap), heatmap.Caption);
    }

    private static string Svg(Heatmap h)
    {
        double cellWidth = Math.Clamp(TargetGridWidth / h.Columns, 4, 56);
        double cellHeight = Math.Clamp(cellWidth, 14, 36);
        double rowFont = cellHeight >= 18 ? 12 : 11;
        double rowLabelWidth = Math.Min(h.RowLabels.Max(l => Markup.TextWidth(Markup.Truncate(l, 24), rowFont)), 180) + 8;
        var columnLabels = CategoryLabels.For(h.ColumnLabels, cellWidth);
        var (low, high) = h.ColorRange;
        var scale = ColorScale.For(low, high);
        bool hasMissing = Enumerable.Range(0, h.Rows).Any(r => Enumerable.Range(0, h.Columns).Any(c => double.IsNaN(h[r, c])));

        double gridLeft = (h.RowAxisName is null ? Pad : AxisNameBand + Pad) + rowLabelWidth;
        double gridTop = Pad;
        double gridWidth = h.Columns * cellWidth, gridHeight = h.Rows * cellHeight;
        double legendLeft = gridLeft + gridWidth + 24, legendHeight = Math.Max(gridHeight, 96);
        var ticks = NiceTicks.For(scale.Low, scale.High).Where(t => t >= scale.Low - 1e-12 && t <= scale.High + 1e-12).ToList();
        double tickLabelWidth = ticks.Count == 0 ? 0 : ticks.Max(t => Markup.TextWidth(h.FormatValue(t), 11));
        double width = legendLeft + LegendBarWidth + 8 + Math.Max(tickLabelWidth, hasMissing ? 60 : 0) + Pad;
        double bottomOfGridParts = gridTop + gridHeight + columnLabels.Height + (h.ColumnAxisName is null ? 0 : AxisNameBand);
        double height = Math.Max(bottomOfGridParts, gridTop + legendHeight + (hasMissing ? 28 : 0) + 12) + Pad;

        var svg = new StringBuilder(Markup.SvgOpen(width, height, h.Title ?? "heatmap"));
        WriteCells(svg, h, scale, gridLeft, gridTop, cellWidth, cellHeight);
        WriteRowLabels(svg, h, gridLeft, gridTop, cellHeight, rowFont);
        columnLabels.WriteTo(svg, gridLeft, gridTop + gridHeight);
        WriteAxisNames(svg, h, gridLeft, gridTop, gridWidth, gridHeight, bottomOfGridParts);
        WriteLegend(svg, h, scale, ticks, legendLeft, gridTop, legendHeight, hasMissing);
        return svg.Append("</svg>").ToString();
    }

    private static void WriteCells(StringBuilder svg, Heatmap h, ColorScale scale, double left, double top, double width, double height)
    {
        // Values are printed in the cells only when every one of them fits.
        bool printValues = width >= 34 && height >= 18 && Enumerable.Range(0, h.Rows)
            .All(r => Enumerable.Range(0, h.Columns).All(c => Markup.TextWidth(h.FormatValue(h[r, c]), 11) <= width - 6));
        string stroke = width >= 8 ? " stroke=\"#ffffff\" stroke-width=\"1\"" : "";
        for (int r = 0; r < h.Rows; r++)
        {
            for (int c = 0; c < h.Columns; c++)
            {
                double v = h[r, c], x = left + c * width, y = top + r * height;
                string hover = Markup.Escape($"{h.RowLabels[r]} × {h.ColumnLabels[c]}: {h.FormatValue(v)}");
                svg.Append(Markup.Invariant,
                    $"<rect class=\"cell\" x=\"{x:0.##}\" y=\"{y:0.##}\" width=\"{width:0.##}\" height=\"{height:0.##}\" fill=\"{scale.ColorOf(v)}\"{stroke}><title>{hover}</title></rect>");
                if (printValues)
                {
                    svg.Append(Markup.Invariant,
                        $"<text class=\"cell-value\" x=\"{x + width / 2:0.#}\" y=\"{y + height / 2 + 4:0.#}\" font-size=\"11\" text-anchor=\"middle\" fill=\"{scale.TextColorOn(v)}\" pointer-events=\"none\">{Markup.Escape(h.FormatValue(v))}</text>");
                }
            }
        }
    }

    private static void WriteRowLabels(StringBuilder svg, Heatmap h, double gridLeft, double top, double height, double font)
    {
        for (int r = 0; r < h.Rows; r++)
        {
            double y = top + (r + 0.5) * height + font / 3;
            svg.Append(Markup.Invariant,
                $"<text class=\"axis-label\" x=\"{gridLeft - 6:0.#}\" y=\"{y:0.#}\" font-size=\"{font}\" fill=\"{Markup.TextColor}\" text-anchor=\"end\"><title>{Markup.Escape(h.RowLabels[r])}</title>{Markup.Escape(Markup.Truncate(h.RowLabels[r], 24))}</text>");
        }
    }

    private static void WriteAxisNames(StringBuilder svg, Heatmap h, double gridLeft, double top, double gridWidth, double gridHeight, double bottom)
    {
        if (h.ColumnAxisName is { } columns)
        {
            svg.Append(Markup.Invariant,
                $"<text class=\"axis-name\" x=\"{gridLeft + gridWidth / 2:0.#}\" y=\"{bottom - 4:0.#}\" font-weight=\"600\" text-anchor=\"middle\" fill=\"{Markup.TextColor}\">{Markup.Escape(columns)}</text>");
        }
        if (h.RowAxisName is { } rows)
        {
            double x = Pad + 12, y = top + gridHeight / 2;
            svg.Append(Markup.Invariant,
                $"<text class=\"axis-name\" x=\"{x:0.#}\" y=\"{y:0.#}\" font-weight=\"600\" text-anchor=\"middle\" fill=\"{Markup.TextColor}\" transform=\"rotate(-90 {x:0.#} {y:0.#})\">{Markup.Escape(rows)}</text>");
        }
    }

    private static void WriteLegend(StringBuilder svg, Heatmap h, ColorScale scale, IReadOnlyList<double> ticks, double left, double top, double height, bool hasMissing)
    {
        // Drawn as slices rather than a gradient: gradients need document-wide ids, which collide when
        // several outputs share one notebook page.
        double slice = height / LegendSlices;
        for (int i = 0; i < LegendSlices; i++)
        {
            double value = scale.ValueAt(1 - (i + 0.5) / LegendSlices);
            svg.Append(Markup.Invariant,
                $"<rect class=\"legend\" x=\"{left:0.#}\" y=\"{top + i * slice:0.##}\" width=\"{LegendBarWidth}\" height=\"{slice + 0.5:0.##}\" fill=\"{scale.ColorOf(value)}\"/>");
        }
        svg.Append(Markup.Invariant, $"<rect x=\"{left:0.#}\" y=\"{top:0.#}\" width=\"{LegendBarWidth}\" height=\"{height:0.#}\" fill=\"none\" stroke=\"#bdbdbd\"/>");
        foreach (double tick in ticks)
        {
            double y = scale.High > scale.Low ? top + (1 - (tick - scale.Low) / (scale.High - scale.Low)) * height : top + height / 2;
            svg.Append(Markup.Invariant,
                $"<line x1=\"{left + LegendBarWidth:0.#}\" y1=\"{y:0.#}\" x2=\"{left + LegendBarWidth + 4:0.#}\" y2=\"{y:0.#}\" stroke=\"{Markup.MutedColor}\"/>" +
                $"<text class=\"legend-tick\" x=\"{left + LegendBarWidth + 7:0.#}\" y=\"{y + 4:0.#}\" font-size=\"11\" fill=\"{Markup.MutedColor}\">{Markup.Escape(h.FormatValue(tick))}</text>");
        }
        if (hasMissing)
        {
            double y = top + height + 14;
            svg.Append(Markup.Invariant,
                $"<rect x=\"{left:0.#}\" y=\"{y:0.#}\" width=\"{LegendBarWidth}\" height=\"{LegendBarWidth}\" fill=\"{ColorScale.MissingColor}\"/>" +
                $"<text x=\"{left + LegendBarWidth + 7:0.#}\" y=\"{y + 11:0.#}\" font-size=\"11\" fill=\"{Markup.MutedColor}\">NaN</text>");
        }
    }
}
