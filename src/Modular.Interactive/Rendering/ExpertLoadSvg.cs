using System.Text;
using Modular.Reports;

namespace Modular.Interactive.Rendering;

/// <summary>
/// Draws an <see cref="ExpertLoad"/> as bars: per expert the tokens it processed, with the tokens it dropped stacked
/// on top in red, a dashed line at the capacity and a dotted line at the perfectly balanced load.
/// </summary>
public static class ExpertLoadSvg
{
    private const double PlotHeight = 180, Left = 58, Right = 96, Top = 12;
    private const string KeptColor = "#4e79a7", DroppedColor = "#e15759";

    /// <summary>The bars as an HTML figure; the title gains a summary of tokens and drops.</summary>
    public static string Render(ExpertLoad load)
    {
        ArgumentNullException.ThrowIfNull(load);
        string summary = $"{NumberText.Count(load.TotalTokens)} tokens, {NumberText.Count(load.TotalDropped)} dropped" +
            (load.TotalTokens > 0 ? $" ({NumberText.Percent(100.0 * load.TotalDropped / load.TotalTokens)})" : "");
        string title = load.Title is null ? summary : $"{load.Title}: {summary}";
        return Markup.Figure("expert-load", title, Svg(load), load.Caption);
    }

    private static string Svg(ExpertLoad load)
    {
        int experts = load.TokensRouted.Count;
        double slot = Math.Clamp(640.0 / experts, 8, 64), barWidth = slot * 0.72;
        var labels = CategoryLabels.For(load.ExpertNames, slot);
        double highest = Math.Max(load.TokensRouted.Max(), Math.Max(load.Capacity ?? 0, load.BalancedLoad));
        var ticks = NiceTicks.For(0, Math.Max(highest, 1));
        double top = ticks[^1];
        double plotWidth = experts * slot;
        double width = Left + plotWidth + Right, height = Top + PlotHeight + labels.Height + 6;
        double Y(double tokens) => Top + (1 - tokens / top) * PlotHeight;

        var svg = new StringBuilder(Markup.SvgOpen(width, height, "tokens per expert"));
        foreach (double tick in ticks)
        {
            svg.Append(Markup.Invariant,
                $"<line x1=\"{Left:0}\" y1=\"{Y(tick):0.#}\" x2=\"{Left + plotWidth:0.#}\" y2=\"{Y(tick):0.#}\" stroke=\"#eceff1\"/>" +
                $"<text x=\"{Left - 6:0}\" y=\"{Y(tick) + 4:0.#}\" font-size=\"11\" fill=\"{Markup.MutedColor}\" text-anchor=\"end\">{NumberText.Compact((long)tick)}</text>");
        }
        svg.Append(Markup.Invariant,
            $"<text x=\"14\" y=\"{Top + PlotHeight / 2:0}\" font-size=\"11\" fill=\"{Markup.MutedColor}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {Top + PlotHeight / 2:0})\">tokens</text>");
        for (int i = 0; i < experts; i++)
        {
            long routed = load.TokensRouted[i], dropped = load.TokensDropped[i], kept = routed - dropped;
            double x = Left + i * slot + (slot - barWidth) / 2;
            string name = Markup.Escape(load.ExpertNames[i]);
            svg.Append(Markup.Invariant,
                $"<rect class=\"bar-kept\" x=\"{x:0.##}\" y=\"{Y(kept):0.##}\" width=\"{barWidth:0.##}\" height=\"{Y(0) - Y(kept):0.##}\" fill=\"{KeptColor}\"><title>{name}: {NumberText.Count(kept)} tokens processed</title></rect>");
            if (dropped > 0)
            {
                svg.Append(Markup.Invariant,
                    $"<rect class=\"bar-dropped\" x=\"{x:0.##}\" y=\"{Y(routed):0.##}\" width=\"{barWidth:0.##}\" height=\"{Y(kept) - Y(routed):0.##}\" fill=\"{DroppedColor}\"><title>{name}: {NumberText.Count(dropped)} tokens dropped (over capacity)</title></rect>");
            }
        }
        svg.Append(Markup.Invariant, $"<line x1=\"{Left:0}\" y1=\"{Y(0):0.#}\" x2=\"{Left + plotWidth:0.#}\" y2=\"{Y(0):0.#}\" stroke=\"#9ca3af\"/>");
        ReferenceLine(svg, "balanced", Y(load.BalancedLoad), Left, plotWidth, "2 3");
        if (load.Capacity is { } capacity) ReferenceLine(svg, "capacity", Y(capacity), Left, plotWidth, "6 4");
        labels.WriteTo(svg, Left, Y(0));
        return svg.Append("</svg>").ToString();
    }

    private static void ReferenceLine(StringBuilder svg, string name, double y, double left, double plotWidth, string dashes) =>
        svg.Append(Markup.Invariant,
            $"<line class=\"reference-{name}\" x1=\"{left:0}\" y1=\"{y:0.#}\" x2=\"{left + plotWidth:0.#}\" y2=\"{y:0.#}\" stroke=\"{Markup.TextColor}\" stroke-dasharray=\"{dashes}\"/>" +
            $"<text x=\"{left + plotWidth + 6:0.#}\" y=\"{y + 4:0.#}\" font-size=\"11\" fill=\"{Markup.TextColor}\">{name}</text>");
}
