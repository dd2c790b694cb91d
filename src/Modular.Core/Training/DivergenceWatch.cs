using System.Globalization;
using Modular.Reports;

namespace Modular.Training;

/// <summary>
/// The trainer's divergence rule for one run: a NaN or infinite loss, gradient or metric, or a training or evaluation
/// loss above <see cref="TrainerOptions.DivergenceFactor"/> × max(first training loss, 1), ends the run with a
/// <see cref="TrainingDivergedException"/> that names the step, the value and causes that fit this run's settings.
/// The offending value is recorded in the run's history first, so a curve drawn from it shows where the run diverged.
/// </summary>
internal sealed class DivergenceWatch(Trainer trainer, TrainingRun history)
{
    private double? firstLoss;

    /// <summary>The loss above which the run counts as diverged; infinity before the first step or with the ratio rule off.</summary>
    private double Limit => trainer.Options.DivergenceFactor is { } factor && firstLoss is { } first ? factor * Math.Max(first, 1) : double.PositiveInfinity;

    /// <summary>Checks the task loss of <paramref name="step"/> (1-based) before its backward pass.</summary>
    public void CheckTrainingLoss(long step, double loss)
    {
        if (double.IsFinite(loss) && loss <= Limit)
        {
            firstLoss ??= loss;
            return;
        }
        throw Diverged(step, loss, TrainingRecord.LossName, loss, null);
    }

    /// <summary>Checks an evaluation at <paramref name="step"/>, already in the history: its loss and every metric.</summary>
    public void CheckEvaluation(long step, EvaluationResult result)
    {
        if (!double.IsFinite(result.Loss) || result.Loss > Limit)
            throw Diverged(step, null, "eval loss", result.Loss, null);
        foreach (var (name, value) in result.Metrics)
            if (!double.IsFinite(value)) throw Diverged(step, null, $"eval {name}", value, null);
    }

    /// <summary>
    /// The error for <paramref name="metric"/> = <paramref name="value"/> at <paramref name="step"/>; a training loss
    /// (<paramref name="trainingLoss"/>) is recorded in the history first. <paramref name="detail"/> is what a lower
    /// level said (e.g. which parameter's gradient is non-finite).
    /// </summary>
    public TrainingDivergedException Diverged(long step, double? trainingLoss, string metric, double value, string? detail)
    {
        if (trainingLoss is { } loss && (history.Records.Count == 0 || history.Records[^1].Step < step || history.Records[^1].Loss is null))
            history.Add(new TrainingRecord(step, loss));
        var options = trainer.Options;
        float learningRate = trainer.Optimizer.CurrentLearningRate(trainer.Optimizer.Groups[0]);
        string what = double.IsFinite(value)
            ? string.Create(CultureInfo.InvariantCulture, $"the {metric} is {value:G4}, more than {options.DivergenceFactor}× the run's first training loss ({firstLoss:G4}, counted as at least 1)")
            : string.Create(CultureInfo.InvariantCulture, $"the {metric} is {value}");
        string clipping = options.ClipGradientNorm is { } clip
            ? string.Create(CultureInfo.InvariantCulture, $"gradient clipping is already on (ClipGradientNorm = {clip}), so it is the step size, not the gradient's size, that is too large")
            : "gradient clipping (TrainerOptions.ClipGradientNorm = 1) bounds the steps if single batches give huge gradients";
        string causes = trainer.Optimizer.StepCount == 0 && !metric.StartsWith("eval", StringComparison.Ordinal)
            ? "No update has been made yet, so the learning rate is not the cause: the loss takes log(0), divides by zero or takes √0 on some input, or the model's initial or loaded weights hold NaN or infinity."
            : metric.StartsWith("eval", StringComparison.Ordinal) && firstLoss is not null && double.IsFinite(history.Records.LastOrDefault(r => r.Loss is not null)?.Loss ?? double.NaN)
            ? string.Create(CultureInfo.InvariantCulture, $"The training loss was still finite, so weights that only the evaluation data reaches (e.g. the embedding of a token seen only there, or loaded weights) may hold NaN or infinity, or the evaluation data is empty for a metric; else the learning rate {learningRate:G3} is too high — lower it about tenfold. {Capitalized(clipping)}.")
            : string.Create(CultureInfo.InvariantCulture, $"Likely causes: the learning rate {learningRate:G3} is too high — lower it about tenfold; {clipping}; or the loss takes log(0) or divides by zero on some input.");
        string message = string.Create(CultureInfo.InvariantCulture,
            $"Training run '{options.RunName}' diverged at step {step}: {what}{(detail is null ? "" : $" ({detail.TrimEnd('.')})")}. {causes} The history up to step {step} is on this exception's History; the last checkpoint, if any, predates the divergence.");
        return new TrainingDivergedException(message, step, metric, value, history);
    }

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
