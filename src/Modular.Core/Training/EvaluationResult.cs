namespace Modular.Training;

/// <summary>Loss and metrics of a model on a dataset, overall and per group (e.g. per task).</summary>
public sealed record EvaluationResult(double Loss, IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>A metric by name ("accuracy", "accuracy/de", …), or a clear error listing those present.</summary>
    public double this[string metric] => Metrics.TryGetValue(metric, out var v) ? v
        : throw new ConfigurationException($"No metric '{metric}' was computed; available: {string.Join(", ", Metrics.Keys)}.");

    /// <inheritdoc/>
    public override string ToString() => $"loss {Loss:F4}; " + string.Join(", ", Metrics.Select(m => $"{m.Key} {m.Value:F4}"));
}
