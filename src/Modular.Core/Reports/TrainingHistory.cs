namespace Modular.Reports;

/// <summary>One or more training runs to compare on the same curves (methods, seeds, learning rates).</summary>
[TypeFormatterSource(ReportFormatting.FormatterSource)]
public sealed class TrainingHistory
{
    private readonly List<TrainingRun> runs = [];
    private readonly Lock gate = new();

    /// <summary>Creates a history of the given runs; run names must be distinct.</summary>
    public TrainingHistory(params IEnumerable<TrainingRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        foreach (var run in runs) Add(run);
    }

    /// <summary>A snapshot of the runs, in the order added.</summary>
    public IReadOnlyList<TrainingRun> Runs
    {
        get
        {
            lock (gate) return [.. runs];
        }
    }

    /// <summary>Heading shown above the curves.</summary>
    public string? Title { get; init; }

    /// <summary>Sentence shown below the curves.</summary>
    public string? Caption { get; init; }

    /// <summary>Adds a run; its name must differ from the runs already present.</summary>
    public void Add(TrainingRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        lock (gate)
        {
            if (runs.Any(r => r.Name == run.Name))
            {
                throw new ReportDataException($"The history already has a run named '{run.Name}'; give each run a distinct name (e.g. add the seed).");
            }
            runs.Add(run);
        }
    }

    /// <summary>Series names over all runs: the loss first, then metrics by first appearance.</summary>
    public IReadOnlyList<string> SeriesNames => [.. Runs.SelectMany(r => r.SeriesNames).Distinct()
        .OrderBy(name => name == TrainingRecord.LossName ? 0 : 1)];
}
