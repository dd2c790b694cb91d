using System.Globalization;
using System.Diagnostics;

namespace Modular.Benchmarks;

/// <summary>
/// How much of the machine other processes used over an interval, from the kernel's CPU tick counters, exactly as
/// the anchor estimates it: (machine busy ticks − this process's ticks) / (wall time × cores). Linux only.
/// </summary>
internal readonly struct MachineLoad
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux
    private readonly long machineBusy, ownTicks, startTimestamp;

    private MachineLoad(long machineBusy, long ownTicks, long startTimestamp)
    {
        this.machineBusy = machineBusy;
        this.ownTicks = ownTicks;
        this.startTimestamp = startTimestamp;
    }

    /// <summary>Starts an interval.</summary>
    public static MachineLoad Start()
    {
        var (busy, own) = ReadTicks();
        return new MachineLoad(busy, own, Stopwatch.GetTimestamp());
    }

    /// <summary>The share of all cores used by other processes since <see cref="Start"/>; null when unknown or too short to tell (under 0.5 s).</summary>
    public double? OtherProcessesShare()
    {
        double wall = Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;
        var (busy, own) = ReadTicks();
        if (wall < 0.5 || busy < 0) return null;
        double other = ((busy - machineBusy) - (own - ownTicks)) / TicksPerSecond / (wall * Environment.ProcessorCount);
        return Math.Round(Math.Max(0.0, other), 3);
    }

    private static (long MachineBusy, long Own) ReadTicks()
    {
        try
        {
            // /proc/stat "cpu user nice system idle iowait irq softirq ...": busy = all − idle − iowait.
            var machine = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..].Select(Invariant).ToArray();
            long busy = machine.Sum() - machine[3] - machine[4];
            // /proc/self/stat: fields after the parenthesised name; utime and stime are the 12th and 13th of them.
            string self = File.ReadAllText("/proc/self/stat");
            var fields = self[(self.LastIndexOf(')') + 2)..].Split(' ');
            return (busy, Invariant(fields[11]) + Invariant(fields[12]));
        }
        catch (IOException)
        {
            return (-1, 0);
        }
        catch (UnauthorizedAccessException)
        {
            return (-1, 0);
        }
    }

    private static long Invariant(string digits) => long.Parse(digits, CultureInfo.InvariantCulture);
}
