using System.Globalization;
using Microsoft.Data.Analysis;
using Modular.Reports;

namespace Modular.Interactive;

/// <summary>
/// Report tables as <see cref="DataFrame"/>s (Microsoft.Data.Analysis), to sort, filter, join or export (CSV) them.
/// Numbers stay numbers: counts are 64-bit integer columns, measurements a mean and a standard-deviation column, and an
/// absent value is a null. They live here rather than in Modular.Core so that the core library depends on no table package.
/// </summary>
public static class DataFrames
{
    /// <summary>
    /// One row per method: method, module type, trainable, total and base parameters, % of base, size on disk in
    /// bytes, then the metric's mean and standard deviation and its Δ to the reference method (when the table has a metric).
    /// </summary>
    public static DataFrame ToDataFrame(this ParameterEfficiencyTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var rows = table.Rows;
        var columns = new List<DataFrameColumn>
        {
            new StringDataFrameColumn("method", rows.Select(r => r.Method)),
            new StringDataFrameColumn("module type", rows.Select(r => r.ModuleType)),
            new Int64DataFrameColumn("trainable parameters", rows.Select(r => r.TrainableParameters)),
            new Int64DataFrameColumn("total parameters", rows.Select(r => r.TotalParameters)),
            new Int64DataFrameColumn("base parameters", rows.Select(r => r.BaseParameters)),
            new DoubleDataFrameColumn("% of base", rows.Select(r => r.PercentOfBase)),
            new Int64DataFrameColumn("size on disk (bytes)", rows.Select(r => r.SizeOnDiskBytes)),
        };
        if (table.MetricName is { } metric)
        {
            columns.Add(new DoubleDataFrameColumn(metric, rows.Select(r => r.Metric?.Mean)));
            columns.Add(new DoubleDataFrameColumn($"{metric} sd", rows.Select(r => r.Metric?.StandardDeviation)));
            columns.Add(new DoubleDataFrameColumn($"Δ vs {table.ReferenceMethod}", rows.Select(table.DeltaToReference)));
        }
        return new DataFrame(columns);
    }

    /// <summary>
    /// The table's columns: text as text, whole numbers as 64-bit integers, other numbers as doubles, and a column
    /// holding measurements as two, "<c>name</c>" (the mean) and "<c>name sd</c>".
    /// </summary>
    public static DataFrame ToDataFrame(this ResultsTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var columns = new List<DataFrameColumn>();
        for (int c = 0; c < table.Columns.Count; c++)
        {
            string name = table.Columns[c];
            var cells = table.Rows.Select(r => r[c]).ToList();
            var given = cells.Where(v => v is not null).ToList();
            if (given.Count > 0 && given.All(v => v is int or long))
            {
                columns.Add(new Int64DataFrameColumn(name, cells.Select(v => v is null ? (long?)null : Convert.ToInt64(v, CultureInfo.InvariantCulture))));
            }
            else if (given.Count > 0 && given.All(v => v is int or long or float or double or Measurement))
            {
                columns.Add(new DoubleDataFrameColumn(name, cells.Select(v => v switch
                {
                    null => (double?)null,
                    Measurement m => m.Mean,
                    _ => Convert.ToDouble(v, CultureInfo.InvariantCulture),
                })));
                if (given.Any(v => v is Measurement))
                {
                    columns.Add(new DoubleDataFrameColumn($"{name} sd", cells.Select(v => (v as Measurement)?.StandardDeviation)));
                }
            }
            else
            {
                columns.Add(new StringDataFrameColumn(name, cells.Select(v => v is null ? null : table.Format(v))));
            }
        }
        return new DataFrame(columns);
    }

    /// <summary>
    /// One row per site, module and label, in long form: how much was routed to the module from inputs with that label
    /// (<see cref="SiteRouting.ModuleByLabel"/>) and that amount as a share of the label's total at the site.
    /// </summary>
    public static DataFrame ToDataFrame(this RoutingTrace trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var (sites, modules, labels, routed, shares) = (new List<string>(), new List<string>(), new List<string>(), new List<double>(), new List<double>());
        foreach (var site in trace.Sites)
        {
            double[,] amounts = site.ModuleByLabel(), share = site.ModuleByLabel(normalizeColumns: true);
            var names = site.LabelNames;
            for (int m = 0; m < site.Modules.Count; m++)
            {
                for (int l = 0; l < names.Count; l++)
                {
                    sites.Add(site.Site);
                    modules.Add(site.Modules[m]);
                    labels.Add(names[l]);
                    routed.Add(amounts[m, l]);
                    shares.Add(share[m, l]);
                }
            }
        }
        return new DataFrame(
            new StringDataFrameColumn("site", sites),
            new StringDataFrameColumn("module", modules),
            new StringDataFrameColumn(trace.LabelKey ?? "label", labels),
            new DoubleDataFrameColumn("routed", routed),
            new DoubleDataFrameColumn("share of label", shares));
    }

    /// <summary>One row per run and recorded step: run, step, then one column per series (the loss first, then each metric), null where a step did not record it.</summary>
    public static DataFrame ToDataFrame(this TrainingHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var records = history.Runs.SelectMany(run => run.Records.Select(record => (Run: run.Name, Record: record))).ToList();
        var columns = new List<DataFrameColumn>
        {
            new StringDataFrameColumn("run", records.Select(r => r.Run)),
            new Int64DataFrameColumn("step", records.Select(r => r.Record.Step)),
        };
        columns.AddRange(history.SeriesNames.Select(series => new DoubleDataFrameColumn(series, records.Select(r => r.Record[series]))));
        return new DataFrame(columns);
    }
}
