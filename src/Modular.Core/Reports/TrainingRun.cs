namespace Modular.Reports;

/// <summary>
/// The measurements of one training run, in step order. Append-only: a trainer adds records while a notebook
/// may be drawing the run, so readers get a consistent snapshot.
/// </summary>
[TypeFormatterSource(ReportFormatting.FormatterSource)]
public sealed class TrainingRun
{
    private readonly List<TrainingRecord> records = [];
    private readonly Lock gate = new();

    /// <summary>Creates a run named <paramref name="name"/> (shown in legends), optionally with its first records.</summary>
    public TrainingRun(string name, IEnumerable<TrainingRecord>? records = null)
    {
        Name = Labels.Required(name, "A training run");
        foreach (var record in records ?? []) Add(record);
    }

    /// <summary>Name shown in legends, e.g. "LoRA r=8, seed 1".</summary>
    public string Name { get; }

    /// <summary>A snapshot of the records so far, in step order.</summary>
    public IReadOnlyList<TrainingRecord> Records
    {
        get
        {
            lock (gate) return [.. records];
        }
    }

    /// <summary>Appends a record; its step may not precede the last one's.</summary>
    public void Add(TrainingRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (gate)
        {
            if (records.Count > 0 && record.Step < records[^1].Step)
            {
                throw new ReportDataException(
                    $"Run '{Name}': a record for step {record.Step} came after step {records[^1].Step}; records must be added in step order.");
            }
            records.Add(record);
        }
    }

    /// <summary>Names of the series present: <see cref="TrainingRecord.LossName"/> first if any loss was recorded, then metrics by first appearance.</summary>
    public IReadOnlyList<string> SeriesNames
    {
        get
        {
            var snapshot = Records;
            var names = new List<string>();
            if (snapshot.Any(r => r.Loss is not null)) names.Add(TrainingRecord.LossName);
            foreach (var name in snapshot.SelectMany(r => r.Metrics.Keys))
            {
                if (!names.Contains(name)) names.Add(name);
            }
            return names;
        }
    }

    /// <summary>The (step, value) points of series <paramref name="name"/>, skipping steps where it was not measured.</summary>
    public IReadOnlyList<(long Step, double Value)> Series(string name) =>
        [.. Records.Where(r => r[name] is not null).Select(r => (r.Step, r[name]!.Value))];
}
