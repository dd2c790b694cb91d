namespace Modular.Reports;

/// <summary>
/// The trade-off table of the parameter-efficient fine-tuning literature: per method, trainable parameters,
/// share of the base model, per-unit cost, size on disk, a metric and its difference to full fine-tuning.
/// </summary>
[TypeFormatterSource(ReportFormatting.FormatterSource)]
public sealed class ParameterEfficiencyTable
{
    /// <summary>The method name that <see cref="ReferenceMethod"/> defaults to.</summary>
    public const string FullFineTuning = "Full fine-tuning";

    /// <summary>
    /// Creates a table of one or more rows. Give <paramref name="metricName"/> ("accuracy") when rows carry metric values;
    /// Δ is computed against the row whose method is <paramref name="referenceMethod"/> (case-insensitive), if there is one.
    /// </summary>
    public ParameterEfficiencyTable(IEnumerable<ParameterEfficiencyRow> rows, string? metricName = null, string referenceMethod = FullFineTuning)
    {
        ArgumentNullException.ThrowIfNull(rows);
        Rows = [.. rows];
        if (Rows.Count == 0) throw new ReportDataException("A parameter-efficiency table needs at least one row.");
        if (Rows.Any(r => r is null)) throw new ReportDataException("A parameter-efficiency table was given a null row.");
        if (metricName is null && Rows.FirstOrDefault(r => r.Metric is not null) is { } measured)
        {
            throw new ReportDataException(
                $"Row '{measured.Method}' carries a metric value but the table has no metric name; pass metricName, e.g. \"accuracy\".");
        }
        MetricName = metricName;
        ReferenceMethod = referenceMethod ?? throw new ArgumentNullException(nameof(referenceMethod));
    }

    /// <summary>The methods, in display order.</summary>
    public IReadOnlyList<ParameterEfficiencyRow> Rows { get; }

    /// <summary>Name of the metric the rows carry ("accuracy", "F1"), or null when none was measured.</summary>
    public string? MetricName { get; }

    /// <summary>Whether a larger metric is better (accuracy) or worse (perplexity); decides which value is highlighted.</summary>
    public bool HigherIsBetter { get; init; } = true;

    /// <summary>Method that Δ is measured against.</summary>
    public string ReferenceMethod { get; }

    /// <summary>Heading shown above the table.</summary>
    public string? Title { get; init; }

    /// <summary>Sentence shown below the table: data, seeds, what the metric is.</summary>
    public string? Caption { get; init; }

    /// <summary>The row of the <see cref="ReferenceMethod"/>, if present.</summary>
    public ParameterEfficiencyRow? Reference =>
        Rows.FirstOrDefault(r => string.Equals(r.Method, ReferenceMethod, StringComparison.OrdinalIgnoreCase));

    /// <summary><paramref name="row"/>'s metric minus the reference's, when both were measured.</summary>
    public double? DeltaToReference(ParameterEfficiencyRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.Metric is { } own && Reference?.Metric is { } reference ? own.Mean - reference.Mean : null;
    }

    /// <summary>The row with the best metric (per <see cref="HigherIsBetter"/>), if any was measured.</summary>
    public ParameterEfficiencyRow? Best
    {
        get
        {
            var measured = Rows.Where(r => r.Metric is not null);
            return HigherIsBetter ? measured.MaxBy(r => r.Metric!.Mean) : measured.MinBy(r => r.Metric!.Mean);
        }
    }
}
