using System.Globalization;
using System.Text;

namespace Modular.Tests.Support;

/// <summary>One analytic-versus-numeric comparison; <paramref name="Magnitude"/> sets the relative part of its tolerance.</summary>
internal sealed record GradientComparison(string Where, double Analytic, double Numeric, double Magnitude)
{
    /// <summary>The allowed difference: absolute floor plus a relative share of the largest magnitude involved.</summary>
    public double Tolerance => GradientChecker.AbsoluteTolerance
        + GradientChecker.RelativeTolerance * Math.Max(Math.Max(Math.Abs(Analytic), Math.Abs(Numeric)), Math.Abs(Magnitude));

    /// <summary>|analytic − numeric|.</summary>
    public double Error => Math.Abs(Analytic - Numeric);

    /// <summary>Error as a share of the tolerance: at most 1 passes (NaN never does).</summary>
    public double Ratio => Error / Tolerance;

    /// <summary>True when the two agree within the tolerance.</summary>
    public bool Passed => Ratio <= 1;

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Where}: analytic {Analytic:G6}, numeric {Numeric:G6}, error {Error:G3} (tolerance {Tolerance:G3})");
}

/// <summary>The outcome of a gradient check: every comparison made, and whether all passed.</summary>
internal sealed class GradientCheckResult(IReadOnlyList<GradientComparison> comparisons)
{
    /// <summary>Every element-wise and directional comparison.</summary>
    public IReadOnlyList<GradientComparison> Comparisons { get; } = comparisons;

    /// <summary>True when every comparison passed (and there was at least one).</summary>
    public bool Passed => Comparisons.Count > 0 && Comparisons.All(c => c.Passed);

    /// <summary>The comparison closest to (or furthest beyond) its tolerance.</summary>
    public GradientComparison Worst => Comparisons.MaxBy(c => double.IsNaN(c.Ratio) ? double.PositiveInfinity : c.Ratio)!;

    /// <summary>One line: how many comparisons, and the worst error against its tolerance.</summary>
    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"gradient check: {Comparisons.Count} comparisons, worst error/tolerance {Worst.Ratio:F3} at {Worst}");

    /// <summary>The failing comparisons, for the test failure message.</summary>
    public string Report()
    {
        var failures = Comparisons.Where(c => !c.Passed).ToList();
        var text = new StringBuilder($"Gradient check failed: {failures.Count} of {Comparisons.Count} comparisons outside tolerance.");
        foreach (var f in failures.Take(12)) text.AppendLine().Append("  ").Append(f);
        return text.ToString();
    }
}
