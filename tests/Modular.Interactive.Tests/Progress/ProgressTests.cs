using Modular.Interactive.Progress;
using Modular.Interactive.Rendering;
using Modular.Reports;

namespace Modular.Interactive.Tests.Progress;

public class ProgressTests
{
    /// <summary>A clock the test moves by hand.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => ticks;

        public void Advance(int milliseconds) => ticks += TimeSpan.FromMilliseconds(milliseconds).Ticks;
    }

    private static TrainingProgress At(long step, double loss = 1.0) =>
        new(step, totalSteps: 100, loss, TimeSpan.FromSeconds(step)) { Epoch = 1, TotalEpochs = 2, Metrics = new Dictionary<string, double> { ["acc"] = 0.5 } };

    [Fact]
    public void Redraws_at_most_once_per_interval_but_always_first_and_last()
    {
        var clock = new ManualClock();
        var shown = new List<string>();
        var replaced = new List<string>();
        var sink = new LiveProgress(html => { shown.Add(html); return replaced.Add; }, TimeSpan.FromMilliseconds(250), clock);

        sink.Report(At(1));      // first: drawn
        clock.Advance(100);
        sink.Report(At(2));      // 100 ms later: skipped
        clock.Advance(200);
        sink.Report(At(3));      // 300 ms after the last draw: drawn
        clock.Advance(10);
        sink.Report(At(100));    // last step: drawn although only 10 ms passed

        Assert.Single(shown);
        Assert.Equal(2, replaced.Count);
        Assert.Contains("step 3/100", replaced[0], StringComparison.Ordinal);
        Assert.Contains("step 100/100", replaced[1], StringComparison.Ordinal);
    }

    [Fact]
    public void The_html_line_shows_bar_step_epoch_loss_metrics_time_and_a_sparkline_of_recent_losses()
    {
        var progress = new TrainingProgress(25, 100, 0.4312, TimeSpan.FromSeconds(30)) { Epoch = 1, TotalEpochs = 3, Metrics = new Dictionary<string, double> { ["acc"] = 0.8125 } };
        var document = Html.Parse(ProgressLine.Html(progress, [1.0, 0.8, 0.6, 0.4312]));

        Assert.Equal("25", document.All("//span[@role='progressbar']")[0].GetAttributeValue("aria-valuenow", ""));
        Assert.Equal(["25%", "step 25/100", "epoch 1/3", "loss 0.4312", "acc 0.8125", "0:30 · ETA 1:30"],
            document.All("//div/span[not(@role)]").Select(s => s.Text()));
        Assert.Equal(4, document.All("//svg[@class='sparkline']/polyline")[0].GetAttributeValue("points", "").Split(' ').Length);
    }

    [Fact]
    public void The_console_line_is_rewritten_in_place_and_ends_with_a_newline()
    {
        var output = new StringWriter();
        var sink = new ConsoleProgress(output, TimeSpan.Zero, rewriteInPlace: true);

        sink.Report(At(50, loss: 0.9));
        sink.Report(At(100, loss: 0.3));

        string text = output.ToString();
        Assert.Equal(2, text.Count(c => c == '\r'));
        Assert.EndsWith(Environment.NewLine, text, StringComparison.Ordinal);
        Assert.Single(text.Split(Environment.NewLine), line => line.Length > 0);
        Assert.Contains("[##########..........]  50%  step 50/100  epoch 1/2  loss 0.9  acc 0.5  0:50 · ETA 0:50", text, StringComparison.Ordinal);
        Assert.Contains("[####################]  100%  step 100/100", text, StringComparison.Ordinal);
        Assert.EndsWith("█▁" + Environment.NewLine, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Redirected_output_gets_one_line_per_epoch_and_one_for_the_last_step_without_carriage_returns()
    {
        var output = new StringWriter();
        var sink = new ConsoleProgress(output, TimeSpan.FromMilliseconds(250), new ManualClock(), rewriteInPlace: false);

        // 2 epochs of 50 steps at one instant: a throttled sink would draw only the first and the last
        for (int step = 1; step <= 100; step++)
        {
            sink.Report(new TrainingProgress(step, 100, 1.0 / step, TimeSpan.FromSeconds(step)) { Epoch = step <= 50 ? 1 : 2, TotalEpochs = 2 });
        }

        string text = output.ToString();
        Assert.DoesNotContain('\r', text);
        var lines = text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("[##########..........]  50%  step 50/100  epoch 1/2  loss 0.02  0:50 · ETA 0:50", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("[####################]  100%  step 100/100  epoch 2/2  loss 0.01", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Redirected_output_starts_a_line_for_each_run()
    {
        var output = new StringWriter();
        var sink = new ConsoleProgress(output, TimeSpan.Zero, rewriteInPlace: false);

        sink.Report(new TrainingProgress(3, 10, 0.5, TimeSpan.FromSeconds(3)) { RunName = "LoRA" });
        sink.Report(new TrainingProgress(1, 10, 0.9, TimeSpan.FromSeconds(1)) { RunName = "BitFit" });
        sink.Report(new TrainingProgress(10, 10, 0.1, TimeSpan.FromSeconds(10)) { RunName = "BitFit" });

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("LoRA  [######..............]  30%  step 3/10", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("BitFit  [####################]  100%  step 10/10", lines[1], StringComparison.Ordinal);
    }
}
