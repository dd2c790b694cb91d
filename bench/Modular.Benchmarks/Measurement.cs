using System.Text.Json.Nodes;

namespace Modular.Benchmarks;

/// <summary>Seconds per call for each timed repeat, and how busy the rest of the machine was meanwhile.</summary>
internal sealed record Measurement(double[] SecondsPerCall, int CallsPerRepeat, double? OtherCpuFraction)
{
    /// <summary>True when other processes used more than 5% of the machine: the figure is probably low.</summary>
    public bool Disturbed => OtherCpuFraction > 0.05;

    /// <summary>Median seconds per call over the repeats.</summary>
    public double MedianSeconds => Median([.. SecondsPerCall]);

    /// <summary><paramref name="work"/> per second as <c>{median, min, max}</c> over the repeats, rounded like the anchor.</summary>
    public JsonObject Rate(double work = 1.0)
    {
        var rates = SecondsPerCall.Select(s => work / s).Order().ToArray();
        return new JsonObject
        {
            ["median"] = Math.Round(Median(rates), 3),
            ["min"] = Math.Round(rates[0], 3),
            ["max"] = Math.Round(rates[^1], 3),
        };
    }

    /// <summary>Adds the anchor's disturbance fields to a result line.</summary>
    public JsonObject WithDisturbance(JsonObject line)
    {
        ArgumentNullException.ThrowIfNull(line);
        line["other_cpu_frac"] = OtherCpuFraction;
        line["disturbed"] = Disturbed;
        return line;
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        int mid = values.Length / 2;
        return values.Length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }
}
