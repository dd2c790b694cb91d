using Modular.Interactive.Notebook;
using Modular.Interactive.Progress;
using Modular.Reports;

namespace Modular.Interactive.Tests.Notebook;

[Collection(nameof(GlobalState))]
public sealed class TrainProgressCommandTests : IDisposable
{
    public void Dispose() => AmbientProgress.Factory = static () => null;

    [Fact]
    public void Console_and_off_set_what_training_reports_to()
    {
        Assert.True(MagicCommands.Train.Run("--progress console --refresh-ms 100", _ => null).Succeeded);
        Assert.IsType<ConsoleProgress>(AmbientProgress.Create());

        Assert.True(MagicCommands.Train.Run("--progress off", _ => null).Succeeded);
        Assert.Null(AmbientProgress.Create());
    }

    [Fact]
    public void Live_progress_without_a_notebook_is_refused_with_the_alternative()
    {
        var result = MagicCommands.Train.Run("--progress live", _ => null);

        Assert.False(result.Succeeded);
        Assert.Contains("use console in scripts", result.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_refresh_interval_is_refused()
    {
        var result = MagicCommands.Train.Run("--progress console --refresh-ms -5", _ => null);

        Assert.False(result.Succeeded);
        Assert.Contains("--refresh-ms &#39;-5&#39; is not valid; give a whole number ≥ 0.", result.Html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("off", "Unexpected &#39;off&#39;; #!modular-train takes only named parameters: --progress, --refresh-ms; did you mean --progress off?")]
    [InlineData("--progress", "--progress needs a value: where progress goes")]
    [InlineData("--progress sideways", "--progress &#39;sideways&#39; is not valid; choose one of: live, console, off.")]
    public void A_bare_word_a_flag_without_a_value_or_an_unknown_value_is_refused_with_the_usage(string arguments, string message)
    {
        AmbientProgress.Factory = static () => null;
        var result = MagicCommands.Train.Run(arguments, _ => null);

        Assert.False(result.Succeeded);
        Assert.Contains(message, result.Html, StringComparison.Ordinal);
        Assert.Contains("#!modular-train [--progress &lt;value&gt;] [--refresh-ms &lt;value&gt;]", result.Html, StringComparison.Ordinal);
        Assert.Null(AmbientProgress.Create());
    }
}
