using Modular.NN;
using Modular.Tensors;

namespace Modular.Training;

/// <summary>What the model's output is scored against: the loss to minimise and the metrics to report.</summary>
public interface ITrainingObjective
{
    /// <summary>The name of the metric early stopping and model selection use by default (higher is better).</summary>
    string PrimaryMetric { get; }

    /// <summary>The loss of <paramref name="output"/> on <paramref name="batch"/> (a scalar).</summary>
    Tensor Loss(Tensor output, Batch batch);

    /// <summary>Per-example outcomes for metrics: (correct, counted) per example, summed over its scored positions.</summary>
    (int Correct, int Counted)[] Score(Tensor output, Batch batch);
}

/// <summary>Classification of whole sequences: cross-entropy of logits [batch, classes]; metric accuracy.</summary>
public sealed class Classification(float labelSmoothing = 0f) : ITrainingObjective
{
    /// <inheritdoc/>
    public string PrimaryMetric => "accuracy";

    /// <inheritdoc/>
    public Tensor Loss(Tensor output, Batch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Losses.CrossEntropy(output, batch.Targets, labelSmoothing: labelSmoothing);
    }

    /// <inheritdoc/>
    public (int Correct, int Counted)[] Score(Tensor output, Batch batch) => TokenScores.Score(output, batch);
}

/// <summary>Masked language modelling: cross-entropy of logits [batch, length, vocabulary] at the masked positions (targets ≠ −100); metric masked-token accuracy.</summary>
public sealed class MaskedLanguageModelingObjective : ITrainingObjective
{
    /// <inheritdoc/>
    public string PrimaryMetric => "accuracy";

    /// <inheritdoc/>
    public Tensor Loss(Tensor output, Batch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Losses.CrossEntropy(output, batch.Targets, ignoreIndex: -100);
    }

    /// <inheritdoc/>
    public (int Correct, int Counted)[] Score(Tensor output, Batch batch) => TokenScores.Score(output, batch);
}

/// <summary>Argmax-against-target scoring shared by the objectives.</summary>
internal static class TokenScores
{
    public static (int Correct, int Counted)[] Score(Tensor output, Batch batch)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(batch);
        int classes = output.Size(-1);
        var values = output.Detach().ToArray().AsSpan(); // one counted read for a device tensor
        var targets = batch.Targets.Span;
        int perExample = targets.Length / batch.Size;
        var scores = new (int, int)[batch.Size];
        for (int b = 0; b < batch.Size; b++)
        {
            int correct = 0, counted = 0;
            for (int p = 0; p < perExample; p++)
            {
                int i = b * perExample + p;
                if (targets[i] < 0) continue;
                var row = values.Slice(i * classes, classes);
                int best = 0;
                for (int c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
                counted++;
                if (best == targets[i]) correct++;
            }
            scores[b] = (correct, counted);
        }
        return scores;
    }
}
