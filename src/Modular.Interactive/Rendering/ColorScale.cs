using System.Globalization;

namespace Modular.Interactive.Rendering;

/// <summary>
/// Maps values to colours. Sequential data uses viridis (perceptually uniform, readable for colour-blind readers
/// and in greyscale); data spanning zero uses a blue–white–red scale centred on zero so that sign is visible.
/// </summary>
internal sealed class ColorScale
{
    private static readonly string[] Viridis = ["#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725"];
    private static readonly string[] BlueWhiteRed = ["#2166ac", "#67a9cf", "#d1e5f0", "#f7f7f7", "#fddbc7", "#ef8a62", "#b2182b"];

    private readonly (byte R, byte G, byte B)[] stops;

    private ColorScale(string[] hexStops, double low, double high)
    {
        stops = [.. hexStops.Select(Parse)];
        Low = low;
        High = high;
    }

    /// <summary>Colour of a missing (NaN) value.</summary>
    public const string MissingColor = "#d9d9d9";

    /// <summary>Value at the first colour.</summary>
    public double Low { get; }

    /// <summary>Value at the last colour.</summary>
    public double High { get; }

    /// <summary>The scale for values in [<paramref name="low"/>, <paramref name="high"/>]: diverging around 0 when the range spans it.</summary>
    public static ColorScale For(double low, double high)
    {
        if (low < 0 && high > 0)
        {
            double extent = Math.Max(-low, high);
            return new ColorScale(BlueWhiteRed, -extent, extent);
        }
        return new ColorScale(Viridis, low, high);
    }

    /// <summary>The colour of <paramref name="value"/> as #rrggbb (grey for NaN; values outside the range are clamped).</summary>
    public string ColorOf(double value) => double.IsNaN(value) ? MissingColor : Hex(Rgb(Position(value)));

    /// <summary>A text colour that stays readable on top of <paramref name="value"/>'s colour.</summary>
    public string TextColorOn(double value)
    {
        if (double.IsNaN(value)) return Markup.TextColor;
        var (r, g, b) = Rgb(Position(value));
        double luminance = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
        return luminance > 0.55 ? Markup.TextColor : "#ffffff";
    }

    /// <summary>The value at position <paramref name="t"/> ∈ [0, 1] along the scale.</summary>
    public double ValueAt(double t) => Low + t * (High - Low);

    private double Position(double value) => High > Low ? Math.Clamp((value - Low) / (High - Low), 0, 1) : 0.5;

    private (double R, double G, double B) Rgb(double t)
    {
        double x = t * (stops.Length - 1);
        int i = Math.Min((int)x, stops.Length - 2);
        double f = x - i;
        var (a, b) = (stops[i], stops[i + 1]);
        return (a.R + f * (b.R - a.R), a.G + f * (b.G - a.G), a.B + f * (b.B - a.B));
    }

    private static string Hex((double R, double G, double B) c) =>
        string.Create(CultureInfo.InvariantCulture, $"#{(int)Math.Round(c.R):x2}{(int)Math.Round(c.G):x2}{(int)Math.Round(c.B):x2}");

    private static (byte, byte, byte) Parse(string hex) => (
        byte.Parse(hex.AsSpan(1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
        byte.Parse(hex.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
        byte.Parse(hex.AsSpan(5, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
}
