using Modular.Interactive.Rendering;
using Modular.Reports;

namespace Modular.Interactive.Progress;

/// <summary>
/// Shows training progress on the console. On a terminal it is a single line rewritten in place with a carriage
/// return, ending with a newline at the last step. When the output is not a terminal (a CI log, a file, a pipe),
/// carriage-return frames would pile up into one huge line, so it writes one line per epoch instead — the epoch's last
/// step, with the latest evaluation riding along — and one for the last step.
/// </summary>
public sealed class ConsoleProgress : ThrottledProgress
{
    private readonly TextWriter writer;
    private readonly bool inPlace;
    private int previousLength;
    private (TrainingProgress Progress, IReadOnlyList<double> Losses)? pending;

    /// <summary>
    /// Writes to <paramref name="writer"/>, redrawing at most every <paramref name="interval"/>. <paramref name="rewriteInPlace"/>
    /// chooses between the line rewritten in place and one line per epoch; by default it is in place unless
    /// <paramref name="writer"/> is the console and the console's output is redirected.
    /// </summary>
    public ConsoleProgress(TextWriter writer, TimeSpan interval, TimeProvider? clock = null, bool? rewriteInPlace = null) : base(interval, clock)
    {
        ArgumentNullException.ThrowIfNull(writer);
        this.writer = writer;
        inPlace = rewriteInPlace ?? !(ReferenceEquals(writer, Console.Out) && Console.IsOutputRedirected);
    }

    /// <summary>Writes to the console's standard output, at most every quarter second on a terminal, one line per epoch otherwise.</summary>
    public ConsoleProgress() : this(Console.Out, TimeSpan.FromMilliseconds(250)) { }

    /// <inheritdoc/>
    protected override bool Throttles => inPlace;

    /// <inheritdoc/>
    protected override void Draw(TrainingProgress progress, IReadOnlyList<double> recentLosses)
    {
        if (inPlace) Rewrite(progress, recentLosses);
        else Log(progress, recentLosses);
        writer.Flush();
    }

    private void Rewrite(TrainingProgress progress, IReadOnlyList<double> recentLosses)
    {
        string line = ProgressLine.Text(progress, recentLosses);
        // Pad with spaces so a shorter line fully covers the previous one.
        writer.Write("\r" + line.PadRight(previousLength));
        previousLength = line.Length;
        if (progress.Step == progress.TotalSteps)
        {
            writer.WriteLine();
            previousLength = 0;
        }
    }

    private void Log(TrainingProgress progress, IReadOnlyList<double> recentLosses)
    {
        // An event of a new epoch (or of another run) means the held one was the last step of its epoch.
        if (pending is { } held && (held.Progress.Epoch != progress.Epoch || held.Progress.RunName != progress.RunName))
        {
            writer.WriteLine(ProgressLine.Text(held.Progress, held.Losses));
        }
        pending = (progress, recentLosses);
        if (progress.Step == progress.TotalSteps)
        {
            writer.WriteLine(ProgressLine.Text(progress, recentLosses));
            pending = null;
        }
    }
}
