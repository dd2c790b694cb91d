using Modular.Reports;

namespace Modular.Training;

/// <summary>
/// A training run's loss, gradient or evaluation became NaN or infinite, or its loss rose far above where it began
/// (see <see cref="TrainerOptions.DivergenceFactor"/>): the numbers would not be results, so the trainer stops. The
/// message names the step, the metric and the likely causes; <see cref="History"/> keeps what was recorded up to and
/// including the diverged value, so the curve up to the divergence can still be drawn.
/// </summary>
public sealed class TrainingDivergedException : ModularException
{
    /// <summary>Creates the exception for <paramref name="metric"/> at <paramref name="step"/> (null outside a run).</summary>
    public TrainingDivergedException(string message, long? step, string metric, double value, TrainingRun? history)
        : base(message)
    {
        Step = step;
        Metric = metric;
        Value = value;
        History = history;
    }

    /// <summary>The optimisation step at which the value was seen (1-based, as in the history); null for an evaluation outside a run.</summary>
    public long? Step { get; }

    /// <summary>What diverged: "loss", "eval loss", "eval accuracy", "gradient norm", ….</summary>
    public string Metric { get; }

    /// <summary>The value seen (NaN, ±∞, or the finite loss that broke the divergence rule).</summary>
    public double Value { get; }

    /// <summary>The run's records up to and including the diverged value; null for an evaluation outside a run.</summary>
    public TrainingRun? History { get; }
}
