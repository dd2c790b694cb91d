using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Modular.Benchmarks;

/// <summary>Timing of a repeated model call with the figures the anchor reports, plus managed allocation and peak working set.</summary>
internal static class ModelStep
{
    /// <summary>
    /// Measures <paramref name="call"/> with the anchor's protocol and returns the line: rates per second and per token,
    /// approximate GFLOP/s for <paramref name="flops"/> per call, managed bytes allocated per call in steady state (all
    /// threads) and the process's peak working set.
    /// </summary>
    public static JsonObject Measure(string caseName, int threads, TimingProtocol protocol, Action call, string rateField, double tokens, double flops, string msField)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(call);
        var result = protocol.Measure(call);
        // steady-state allocation, measured after the timing's warm-up: a few more calls, all threads counted
        const int Calls = 5;
        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < Calls; i++) call();
        long allocated = (GC.GetTotalAllocatedBytes(precise: true) - before) / Calls;
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return result.WithDisturbance(new JsonObject
        {
            ["case"] = caseName,
            ["threads"] = threads,
            ["calls_per_repeat"] = result.CallsPerRepeat,
            [rateField] = result.Rate(),
            ["tokens_per_s"] = result.Rate(tokens),
            ["approx_gflops"] = result.Rate(flops / 1e9),
            [msField] = Math.Round(1e3 * result.MedianSeconds, 2),
            ["alloc_bytes_per_step"] = allocated,
            ["peak_working_set_mb"] = Math.Round(process.PeakWorkingSet64 / (1024.0 * 1024.0), 1),
        });
    }
}
