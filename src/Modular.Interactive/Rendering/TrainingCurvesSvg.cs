using System.Text;
using Modular.Reports;

namespace Modular.Interactive.Rendering;

/// <summary>
/// Draws a <see cref="TrainingHistory"/> as small multiples: one SVG panel per series (loss first, then each metric),
/// every run in its own colour on each panel, with a shared legend. Non-finite values (a diverged loss) break the line
/// and are marked where they happened: a dashed line at the step and a "diverged" label naming the value, so a
/// divergence is never just a gap.
/// </summary>
public static class TrainingCurvesSvg
{
    private const double PanelWidth = 380, PanelHeight = 240;
    private const double Left = 58, Right = 16, Top = 28, Bottom = 40;
    private const int MaxPointsWithMarkers = 40;

    /// <summary>The curves as an HTML figure (title, legend, panels, caption).</summary>
    public static string Render(TrainingHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var runs = history.Runs;
        var series = history.SeriesNames;
        if (series.Count == 0)
        {
            return Markup.Figure("curves", history.Title, $"<div style=\"color:{Markup.MutedColor};font-size:13px\">No training records yet.</div>", history.Caption);
        }
        var body = new StringBuilder(Legend(runs));
        body.Append("<div style=\"display:flex;flex-wrap:wrap;gap:12px\">");
        foreach (string name in series) body.Append(Panel(name, runs));
        body.Append("</div>");
        return Markup.Figure("curves", history.Title, body.ToString(), history.Caption);
    }

    private static string Legend(IReadOnlyList<TrainingRun> runs)
    {
        var legend = new StringBuilder("<div class=\"legend\" style=\"display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12px;margin:0 0 6px 0\">");
        for (int i = 0; i < runs.Count; i++)
        {
            legend.Append(Markup.Invariant,
                $"<span style=\"display:inline-flex;align-items:center;gap:6px\"><span style=\"display:inline-block;width:18px;height:3px;border-radius:2px;background:{Palette.Color(i)}\"></span>{Markup.Escape(runs[i].Name)}</span>");
        }
        return legend.Append("</div>").ToString();
    }

    private static string Panel(string seriesName, IReadOnlyList<TrainingRun> runs)
    {
        var points = runs.Select(r => r.Series(seriesName)).ToList();
        var finite = points.SelectMany(p => p).Where(p => double.IsFinite(p.Value)).ToList();
        // Steps are always finite: the axis spans the non-finite points too, so their markers fall inside it.
        var all = points.SelectMany(p => p).ToList();
        double xLow = all.Count == 0 ? 0 : all.Min(p => p.Step), xHigh = all.Count == 0 ? 1 : all.Max(p => p.Step);
        if (xHigh <= xLow) (xLow, xHigh) = (xLow - 1, xHigh + 1);
        var yTicks = NiceTicks.For(finite.Count == 0 ? 0 : finite.Min(p => p.Value), finite.Count == 0 ? 1 : finite.Max(p => p.Value));
        double yLow = yTicks[0], yHigh = yTicks[^1];
        double plotWidth = PanelWidth - Left - Right, plotHeight = PanelHeight - Top - Bottom;
        double X(double step) => Left + (step - xLow) / (xHigh - xLow) * plotWidth;
        double Y(double value) => Top + (1 - (value - yLow) / (yHigh - yLow)) * plotHeight;

        var svg = new StringBuilder(Markup.SvgOpen(PanelWidth, PanelHeight, $"{seriesName} by step"));
        svg.Append(Markup.Invariant, $"<text class=\"panel-title\" x=\"{Left:0}\" y=\"16\" font-size=\"13\" font-weight=\"600\" fill=\"{Markup.TextColor}\">{Markup.Escape(seriesName)}</text>");
        foreach (double tick in yTicks)
        {
            svg.Append(Markup.Invariant,
                $"<line x1=\"{Left:0}\" y1=\"{Y(tick):0.#}\" x2=\"{Left + plotWidth:0}\" y2=\"{Y(tick):0.#}\" stroke=\"#eceff1\"/>" +
                $"<text x=\"{Left - 6:0}\" y=\"{Y(tick) + 4:0.#}\" font-size=\"11\" fill=\"{Markup.MutedColor}\" text-anchor=\"end\">{Markup.Escape(NumberText.Significant(tick, 4))}</text>");
        }
        foreach (double tick in NiceTicks.For(xLow, xHigh).Where(t => t >= xLow && t <= xHigh))
        {
            svg.Append(Markup.Invariant,
                $"<line x1=\"{X(tick):0.#}\" y1=\"{Top + plotHeight:0}\" x2=\"{X(tick):0.#}\" y2=\"{Top + plotHeight + 4:0}\" stroke=\"{Markup.MutedColor}\"/>" +
                $"<text x=\"{X(tick):0.#}\" y=\"{Top + plotHeight + 16:0}\" font-size=\"11\" fill=\"{Markup.MutedColor}\" text-anchor=\"middle\">{Markup.Escape(NumberText.Significant(tick, 6))}</text>");
        }
        svg.Append(Markup.Invariant,
            $"<line x1=\"{Left:0}\" y1=\"{Top + plotHeight:0}\" x2=\"{Left + plotWidth:0}\" y2=\"{Top + plotHeight:0}\" stroke=\"#9ca3af\"/>" +
            $"<text x=\"{Left + plotWidth / 2:0}\" y=\"{PanelHeight - 6:0}\" font-size=\"11\" fill=\"{Markup.MutedColor}\" text-anchor=\"middle\">step</text>");

        for (int run = 0; run < runs.Count; run++)
        {
            string color = Palette.Color(run), label = Markup.Escape($"{runs[run].Name}: {seriesName}");
            foreach (var segment in FiniteSegments(points[run]))
            {
                string coordinates = string.Join(" ", segment.Select(p => string.Create(Markup.Invariant, $"{X(p.Step):0.#},{Y(p.Value):0.#}")));
                svg.Append(Markup.Invariant,
                    $"<polyline class=\"series\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.8\" stroke-linejoin=\"round\" points=\"{coordinates}\"><title>{label}</title></polyline>");
            }
            if (points[run].Count(p => double.IsFinite(p.Value)) <= MaxPointsWithMarkers)
            {
                foreach (var (step, value) in points[run].Where(p => double.IsFinite(p.Value)))
                {
                    svg.Append(Markup.Invariant,
                        $"<circle class=\"point\" cx=\"{X(step):0.#}\" cy=\"{Y(value):0.#}\" r=\"2.6\" fill=\"{color}\"><title>{label} = {Markup.Escape(NumberText.Significant(value, 4))} at step {step}</title></circle>");
                }
            }
            // Only the first non-finite value of a stretch gets a label: a run that stays NaN is one divergence, not many.
            double previous = 0;
            foreach (var (step, value) in points[run])
            {
                if (!double.IsFinite(value) && double.IsFinite(previous))
                {
                    string what = Markup.Escape($"{runs[run].Name}: {seriesName} diverged ({value}) at step {step}");
                    svg.Append(Markup.Invariant,
                        $"<g class=\"diverged\"><title>{what}</title>" +
                        $"<line x1=\"{X(step):0.#}\" y1=\"{Top:0}\" x2=\"{X(step):0.#}\" y2=\"{Top + plotHeight:0}\" stroke=\"{color}\" stroke-width=\"1.2\" stroke-dasharray=\"4 3\"/>" +
                        $"<text x=\"{(X(step) - Left > plotWidth / 2 ? X(step) - 3 : X(step) + 3):0.#}\" y=\"{Top + 10:0}\" font-size=\"11\" font-weight=\"600\" fill=\"{color}\" text-anchor=\"{(X(step) - Left > plotWidth / 2 ? "end" : "start")}\">diverged ({Markup.Escape(value.ToString(Markup.Invariant))})</text></g>");
                }
                previous = value;
            }
        }
        return svg.Append("</svg>").ToString();
    }

    /// <summary>Runs of consecutive finite points: a NaN or infinite value ends one line and starts the next.</summary>
    private static IEnumerable<List<(long Step, double Value)>> FiniteSegments(IReadOnlyList<(long Step, double Value)> points)
    {
        var segment = new List<(long, double)>();
        foreach (var point in points)
        {
            if (double.IsFinite(point.Value))
            {
                segment.Add(point);
            }
            else if (segment.Count > 0)
            {
                yield return segment;
                segment = [];
            }
        }
        if (segment.Count > 0) yield return segment;
    }
}
