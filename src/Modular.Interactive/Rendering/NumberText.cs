using System.Globalization;

namespace Modular.Interactive.Rendering;

/// <summary>How numbers read in tables, legends and progress lines: counts, compact counts, percentages, bytes, durations.</summary>
internal static class NumberText
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>A count with thousands separators: 3,464,706.</summary>
    public static string Count(long n) => n.ToString("N0", Invariant);

    /// <summary>A count in three significant digits with K/M/B: 33.3K, 3.46M (exact below 1,000).</summary>
    public static string Compact(long n) => Scaled(n, 1000, ["", "K", "M", "B", "T"], "");

    /// <summary>Bytes in decimal units: 812 B, 33.3 kB, 13.2 MB.</summary>
    public static string Bytes(long n) => Scaled(n, 1000, [" B", " kB", " MB", " GB", " TB"], " B");

    /// <summary>A percentage in three significant digits: 100%, 0.96%, 0.0123%; tiny shares read "&lt;0.001%".</summary>
    public static string Percent(double percent) =>
        percent == 0 ? "0%" : percent < 0.001 ? "<0.001%" : Significant(percent, 3) + "%";

    /// <summary><paramref name="value"/> rounded to <paramref name="digits"/> significant digits, without exponent notation.</summary>
    public static string Significant(double value, int digits)
    {
        if (value == 0 || !double.IsFinite(value)) return value.ToString(Invariant);
        int magnitude = (int)Math.Floor(Math.Log10(Math.Abs(value)));
        int decimals = Math.Clamp(digits - 1 - magnitude, 0, 15);
        return Math.Round(value, decimals).ToString("0." + new string('#', decimals), Invariant);
    }

    /// <summary>
    /// The decimals that show <paramref name="spread"/> (a standard deviation) to two significant digits when its
    /// leading digit is 1 or 2, otherwise one: 0.023 → 3, 0.031 → 2, 0.003 → 3; null for a zero or non-finite spread.
    /// </summary>
    public static int? SpreadDecimals(double spread)
    {
        if (spread <= 0 || !double.IsFinite(spread)) return null;
        int magnitude = (int)Math.Floor(Math.Log10(spread));
        double leading = spread / Math.Pow(10, magnitude);
        return Math.Clamp((leading < 3 ? 1 : 0) - magnitude, 0, 6);
    }

    /// <summary><paramref name="value"/> with exactly <paramref name="decimals"/> decimals, trailing zeros kept so a column lines up.</summary>
    public static string Fixed(double value, int decimals) => value.ToString("F" + decimals.ToString(Invariant), Invariant);

    /// <summary>"mean ± spread" with both to the decimals the spread sets (<see cref="SpreadDecimals"/>) unless given.</summary>
    public static string MeanAndSpread(double mean, double spread, int? decimals = null) =>
        (decimals ?? SpreadDecimals(spread)) is { } d && double.IsFinite(mean)
            ? Fixed(mean, d) + " ± " + Fixed(spread, d)
            : Significant(mean, 4) + " ± " + Significant(spread, 2);

    /// <summary>A duration as h:mm:ss, or m:ss under an hour.</summary>
    public static string Duration(TimeSpan span) => span.TotalHours >= 1
        ? string.Create(Invariant, $"{(int)span.TotalHours}:{span.Minutes:00}:{span.Seconds:00}")
        : string.Create(Invariant, $"{span.Minutes}:{span.Seconds:00}");

    private static string Scaled(long n, double step, string[] units, string exactUnit)
    {
        if (Math.Abs(n) < step) return n.ToString(Invariant) + exactUnit;
        double value = n;
        int unit = 0;
        while (Math.Abs(value) >= step && unit < units.Length - 1)
        {
            value /= step;
            unit++;
        }
        return Significant(value, 3) + units[unit];
    }
}
