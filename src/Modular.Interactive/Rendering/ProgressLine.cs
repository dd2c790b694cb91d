using System.Text;
using Modular.Reports;

namespace Modular.Interactive.Rendering;

/// <summary>
/// One line of training progress, as HTML for a notebook output (bar, step, epoch, loss, metrics, time, loss sparkline)
/// and as plain text for a console line (the same facts, with a block-character bar and sparkline).
/// </summary>
public static class ProgressLine
{
    private const double SparkWidth = 120, SparkHeight = 22;
    private const string Blocks = "▁▂▃▄▅▆▇█";

    /// <summary>The progress as one HTML line; <paramref name="recentLosses"/> draws the sparkline (oldest first).</summary>
    public static string Html(TrainingProgress progress, IReadOnlyList<double> recentLosses)
    {
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(recentLosses);
        var html = new StringBuilder();
        html.Append(Markup.Invariant,
            $"<div class=\"modular-figure modular-progress\" style=\"display:flex;flex-wrap:wrap;align-items:center;gap:6px 14px;font-family:{Markup.FontFamily};font-size:13px;color:{Markup.TextColor};font-variant-numeric:tabular-nums\">");
        if (progress.RunName is { } run) html.Append(Markup.Invariant, $"<b>{Markup.Escape(run)}</b>");
        double fraction = progress.Fraction ?? 0;
        html.Append(Markup.Invariant,
            $"<span class=\"bar\" role=\"progressbar\" aria-valuenow=\"{fraction * 100:0}\" aria-valuemin=\"0\" aria-valuemax=\"100\" style=\"display:inline-block;width:200px;height:10px;background:#e5e7eb;border-radius:5px;overflow:hidden\"><span style=\"display:block;height:10px;width:{fraction * 100:0.#}%;background:#4e79a7\"></span></span>");
        foreach (string fact in Facts(progress)) html.Append(Markup.Invariant, $"<span>{Markup.Escape(fact)}</span>");
        html.Append(Sparkline(recentLosses));
        return html.Append("</div>").ToString();
    }

    /// <summary>The progress as one console line (no newline), e.g. <c>[#####.....]  50%  step 50/100  loss 0.4312  ▇▅▃▂</c>.</summary>
    public static string Text(TrainingProgress progress, IReadOnlyList<double> recentLosses, int barWidth = 20)
    {
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(recentLosses);
        var line = new StringBuilder();
        if (progress.RunName is { } run) line.Append(run).Append("  ");
        if (progress.Fraction is { } fraction)
        {
            int filled = (int)Math.Round(fraction * barWidth);
            line.Append('[').Append('#', filled).Append('.', barWidth - filled).Append("]  ");
        }
        line.AppendJoin("  ", Facts(progress));
        string spark = TextSparkline(recentLosses, 16);
        if (spark.Length > 0) line.Append("  ").Append(spark);
        return line.ToString();
    }

    private static IEnumerable<string> Facts(TrainingProgress p)
    {
        if (p.Fraction is { } fraction) yield return NumberText.Significant(Math.Floor(fraction * 100), 3) + "%";
        yield return p.TotalSteps is { } total ? $"step {NumberText.Count(p.Step)}/{NumberText.Count(total)}" : $"step {NumberText.Count(p.Step)}";
        if (p.TotalEpochs is { } epochs) yield return string.Create(Markup.Invariant, $"epoch {p.Epoch}/{epochs}");
        yield return "loss " + NumberText.Significant(p.Loss, 4);
        foreach (var (name, value) in p.Metrics) yield return $"{name} {NumberText.Significant(value, 4)}";
        yield return NumberText.Duration(p.Elapsed) + (p.EstimatedRemaining is { } eta ? $" · ETA {NumberText.Duration(eta)}" : "");
    }

    private static string Sparkline(IReadOnlyList<double> losses)
    {
        var finite = losses.Where(double.IsFinite).ToList();
        if (finite.Count < 2) return "";
        double low = finite.Min(), high = finite.Max(), range = high > low ? high - low : 1;
        string points = string.Join(" ", finite.Select((v, i) => string.Create(Markup.Invariant,
            $"{i * SparkWidth / (finite.Count - 1):0.#},{1 + (1 - (v - low) / range) * (SparkHeight - 2):0.#}")));
        return string.Create(Markup.Invariant,
            $"<svg class=\"sparkline\" width=\"{SparkWidth}\" height=\"{SparkHeight}\" viewBox=\"0 0 {SparkWidth} {SparkHeight}\" role=\"img\" aria-label=\"recent loss\"><polyline fill=\"none\" stroke=\"#e15759\" stroke-width=\"1.5\" points=\"{points}\"/></svg>");
    }

    private static string TextSparkline(IReadOnlyList<double> losses, int width)
    {
        var finite = losses.Where(double.IsFinite).TakeLast(width).ToList();
        if (finite.Count < 2) return "";
        double low = finite.Min(), high = finite.Max(), range = high > low ? high - low : 1;
        return string.Concat(finite.Select(v => Blocks[(int)Math.Round((v - low) / range * (Blocks.Length - 1))]));
    }
}
