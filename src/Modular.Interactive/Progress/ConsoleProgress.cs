using Modular.Interactive.Rendering;
using Modular.Reports;

namespace Modular.Interactive.Progress;

/// <summary>Shows training progress as a single console line rewritten in place with a carriage return, ending with a newline at the last step.</summary>
public sealed class ConsoleProgress(TextWriter writer, TimeSpan interval, TimeProvider? clock = null) : ThrottledProgress(interval, clock)
{
    private int previousLength;

    /// <summary>Writes to the console's standard output, at most every quarter second.</summary>
    public ConsoleProgress() : this(Console.Out, TimeSpan.FromMilliseconds(250)) { }

    /// <inheritdoc/>
    protected override void Draw(TrainingProgress progress, IReadOnlyList<double> recentLosses)
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
        writer.Flush();
    }
}
