namespace Modular.Reports;

/// <summary>A measured metric: the mean over runs and, when several seeds ran, its standard deviation.</summary>
public sealed record Measurement
{
    /// <summary>Creates a measurement; <paramref name="standardDeviation"/> must be ≥ 0 and <paramref name="runs"/> ≥ 1 when given.</summary>
    public Measurement(double mean, double? standardDeviation = null, int? runs = null)
    {
        if (!double.IsFinite(mean)) throw new ReportDataException($"A measurement's mean must be a finite number, not {mean}.");
        if (standardDeviation is < 0 || standardDeviation is { } sd && !double.IsFinite(sd))
        {
            throw new ReportDataException($"A standard deviation must be a finite number ≥ 0, not {standardDeviation}.");
        }
        if (runs is < 1) throw new ReportDataException($"A measurement comes from at least 1 run, not {runs}.");
        Mean = mean;
        StandardDeviation = standardDeviation;
        Runs = runs;
    }

    /// <summary>The mean and (for two or more values) sample standard deviation of <paramref name="values"/>.</summary>
    public static Measurement Of(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var list = values.ToList();
        if (list.Count == 0) throw new ReportDataException("A measurement needs at least one value.");
        double mean = list.Average();
        double? sd = list.Count > 1 ? Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1)) : null;
        return new Measurement(mean, sd, list.Count);
    }

    /// <summary>Mean value over the runs.</summary>
    public double Mean { get; }

    /// <summary>Spread over the runs (sample standard deviation), if more than one ran.</summary>
    public double? StandardDeviation { get; }

    /// <summary>How many runs (seeds) the mean is over, if known.</summary>
    public int? Runs { get; }
}
