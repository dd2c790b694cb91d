namespace Modular.Reports;

/// <summary>What a run measured at one step: the training loss and/or named metrics (evaluation accuracy, learning rate, ...).</summary>
public sealed record TrainingRecord
{
    /// <summary>The series name under which <see cref="Loss"/> is plotted.</summary>
    public const string LossName = "loss";

    /// <summary>Creates a record; a metric may not be called <see cref="LossName"/>, which names the loss series.</summary>
    public TrainingRecord(long step, double? loss, IReadOnlyDictionary<string, double>? metrics = null)
    {
        if (step < 0) throw new ReportDataException($"A training record's step must be ≥ 0, not {step}.");
        Metrics = metrics is null ? new Dictionary<string, double>() : new Dictionary<string, double>(metrics);
        foreach (string name in Metrics.Keys)
        {
            if (string.IsNullOrWhiteSpace(name) || name == LossName)
            {
                throw new ReportDataException($"Metric name '{name}' at step {step} is empty or '{LossName}'; pass the loss as the loss argument and name metrics otherwise.");
            }
        }
        Step = step;
        Loss = loss;
    }

    /// <summary>Optimisation step the values were measured at.</summary>
    public long Step { get; }

    /// <summary>Training loss at this step, if measured (NaN or infinite when the run diverged).</summary>
    public double? Loss { get; }

    /// <summary>Other measurements by name.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; }

    /// <summary>The value of series <paramref name="name"/> (<see cref="LossName"/> or a metric) at this step, if measured.</summary>
    public double? this[string name] => name == LossName ? Loss : Metrics.TryGetValue(name, out double v) ? v : null;
}
