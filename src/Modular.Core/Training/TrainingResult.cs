using Modular.Reports;

namespace Modular.Training;

/// <summary>What a training run produced: its history, the last evaluation and why it stopped.</summary>
public sealed record TrainingResult(TrainingRun History, EvaluationResult? FinalEvaluation, long Steps, bool StoppedEarly)
{
    /// <summary>The best value of the primary metric seen at any evaluation, if evaluated.</summary>
    public double? BestMetric { get; init; }
}
