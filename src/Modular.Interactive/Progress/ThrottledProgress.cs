using Modular.Reports;

namespace Modular.Interactive.Progress;

/// <summary>
/// Base of the progress sinks: remembers recent losses for the sparkline and redraws at most once per interval
/// (always on the first and the last step), so a fast loop does not flood a notebook or a terminal.
/// </summary>
public abstract class ThrottledProgress : IProgress<TrainingProgress>
{
    /// <summary>How many recent losses the sparkline shows.</summary>
    public const int SparklineLength = 120;

    private readonly TimeSpan interval;
    private readonly TimeProvider clock;
    private readonly Queue<double> losses = new();
    private readonly Lock gate = new();
    private long? lastDrawn;

    /// <summary>Creates a sink that redraws at most every <paramref name="interval"/> as measured by <paramref name="clock"/> (the system clock by default).</summary>
    protected ThrottledProgress(TimeSpan interval, TimeProvider? clock)
    {
        if (interval < TimeSpan.Zero) throw new ConfigurationException($"Progress refresh interval must be ≥ 0, not {interval}.");
        this.interval = interval;
        this.clock = clock ?? TimeProvider.System;
    }

    /// <summary>Records the event and redraws if the interval has passed or training just started or finished.</summary>
    public void Report(TrainingProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        lock (gate)
        {
            losses.Enqueue(value.Loss);
            if (losses.Count > SparklineLength) losses.Dequeue();
            bool finished = value.Step == value.TotalSteps;
            if (Throttles && !finished && lastDrawn is { } last && clock.GetElapsedTime(last) < interval) return;
            lastDrawn = clock.GetTimestamp();
            Draw(value, [.. losses]);
        }
    }

    /// <summary>Whether events are dropped between redraws; a sink that picks its own events (one line per epoch) sees them all.</summary>
    protected virtual bool Throttles => true;

    /// <summary>Shows <paramref name="progress"/>; <paramref name="recentLosses"/> are the latest losses, oldest first.</summary>
    protected abstract void Draw(TrainingProgress progress, IReadOnlyList<double> recentLosses);
}
