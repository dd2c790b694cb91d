using System.Diagnostics;

namespace Modular.Benchmarks;

/// <summary>
/// The anchor's timing protocol (torch_ref.py, <c>bench</c>): untimed warm-up calls, then <see cref="Repeats"/> timed
/// repeats of k calls each, k chosen from one timed call so that a repeat lasts at least <see cref="MinRepeatSeconds"/>.
/// A measurement disturbed by other processes is taken again, up to <see cref="Retries"/> times.
/// </summary>
internal sealed record TimingProtocol(int Warmup, int Repeats, double MinRepeatSeconds, int Retries)
{
    /// <summary>Other processes may use at most this share of the machine during a measurement (as in the anchor).</summary>
    private const double DisturbanceLimit = 0.05;

    /// <summary>No retries once the whole run is older than this (as in the anchor).</summary>
    private static readonly TimeSpan RetryBudget = TimeSpan.FromSeconds(150);

    private static readonly Stopwatch SinceStart = Stopwatch.StartNew();

    /// <summary>CFG's warmup 2, repeats 5, min_repeat_s 0.25, with two retries.</summary>
    public static TimingProtocol Standard { get; } = new(2, 5, 0.25, 2);

    /// <summary>The anchor's <c>--quick</c>: warmup 1, repeats 3, one call per repeat, no retries.</summary>
    public static TimingProtocol Quick { get; } = new(1, 3, 0.0, 0);

    /// <summary>Times <paramref name="call"/>; the last attempt is returned (undisturbed unless the retries ran out).</summary>
    public Measurement Measure(Action call)
    {
        ArgumentNullException.ThrowIfNull(call);
        for (int attempt = 0; ; attempt++)
        {
            var result = MeasureOnce(call);
            if (!result.Disturbed || attempt >= Retries || SinceStart.Elapsed > RetryBudget) return result;
        }
    }

    private Measurement MeasureOnce(Action call)
    {
        for (int i = 0; i < Warmup; i++) call();
        long t0 = Stopwatch.GetTimestamp();
        call();
        double one = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        int callsPerRepeat = (int)Math.Max(1, Math.Ceiling(MinRepeatSeconds / Math.Max(one, 1e-9)));
        var secondsPerCall = new double[Repeats];
        var machine = MachineLoad.Start();
        for (int r = 0; r < Repeats; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < callsPerRepeat; i++) call();
            secondsPerCall[r] = Stopwatch.GetElapsedTime(start).TotalSeconds / callsPerRepeat;
        }
        return new Measurement(secondsPerCall, callsPerRepeat, machine.OtherProcessesShare());
    }
}
