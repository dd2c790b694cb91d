using System.Globalization;

namespace Modular.Reports;

/// <summary>One progress event of a running training loop: where it is, the latest loss and metrics, and how long it has taken.</summary>
[TypeFormatterSource(ReportFormatting.FormatterSource)]
public sealed record TrainingProgress
{
    /// <summary>Creates an event; <paramref name="totalSteps"/> is null when the loop's length is unknown.</summary>
    public TrainingProgress(long step, long? totalSteps, double loss, TimeSpan elapsed)
    {
        if (step < 0 || totalSteps is < 1 || step > totalSteps)
        {
            throw new ReportDataException($"Progress step {step} of {totalSteps?.ToString(CultureInfo.InvariantCulture) ?? "?"} is out of range; expected 0 ≤ step ≤ total steps and total ≥ 1.");
        }
        if (elapsed < TimeSpan.Zero) throw new ReportDataException($"Elapsed time {elapsed} is negative.");
        Step = step;
        TotalSteps = totalSteps;
        Loss = loss;
        Elapsed = elapsed;
    }

    /// <summary>Optimisation steps completed.</summary>
    public long Step { get; }

    /// <summary>Steps the loop will take in all, if known.</summary>
    public long? TotalSteps { get; }

    /// <summary>Current epoch, counted from 1.</summary>
    public int Epoch
    {
        get;
        init => field = value < 1 ? throw new ReportDataException($"Epochs are counted from 1; got {value}.") : value;
    } = 1;

    /// <summary>Epochs the loop will run, if known.</summary>
    public int? TotalEpochs { get; init; }

    /// <summary>Training loss of the latest step (NaN if it diverged).</summary>
    public double Loss { get; }

    /// <summary>Latest value of other metrics by name (accuracy, learning rate, ...).</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>Wall-clock time since the loop started.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Name of the run, when several train side by side.</summary>
    public string? RunName { get; init; }

    /// <summary>Fraction done in [0, 1], if the total is known.</summary>
    public double? Fraction => TotalSteps is { } total ? (double)Step / total : null;

    /// <summary>Remaining time at the average pace so far, once a step has completed and the total is known.</summary>
    public TimeSpan? EstimatedRemaining =>
        TotalSteps is { } total && Step > 0 ? Elapsed * ((double)(total - Step) / Step) : null;
}
