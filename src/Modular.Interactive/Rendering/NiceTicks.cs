namespace Modular.Interactive.Rendering;

/// <summary>Axis ticks at round numbers (1, 2 or 5 times a power of ten) covering a value range.</summary>
internal static class NiceTicks
{
    /// <summary>About <paramref name="count"/> round tick values, the first at or below <paramref name="low"/>, the last at or above <paramref name="high"/>.</summary>
    public static IReadOnlyList<double> For(double low, double high, int count = 5)
    {
        if (!(high > low))
        {
            double pad = low == 0 ? 1 : Math.Abs(low) * 0.1;
            (low, high) = (low - pad, high + pad);
        }
        double step = RoundStep((high - low) / Math.Max(1, count - 1));
        double first = Math.Floor(low / step) * step, last = Math.Ceiling(high / step) * step;
        var ticks = new List<double>();
        for (int i = 0; first + i * step <= last + step / 2; i++)
        {
            ticks.Add(Math.Round(first + i * step, 12));
        }
        return ticks;
    }

    private static double RoundStep(double raw)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double fraction = raw / power;
        return (fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10) * power;
    }
}
