using System.Globalization;
using Modular.Interactive.Progress;
using Modular.Interactive.Rendering;
using Modular.Reports;

namespace Modular.Interactive.Notebook;

/// <summary>
/// <c>#!modular-train --progress live --refresh-ms 250</c>: how training shows its progress from now on, by setting
/// <see cref="AmbientProgress.Factory"/>: one output updated in place, a console line, or nothing.
/// </summary>
public sealed class TrainProgressCommand : MagicCommand
{
    private static readonly string[] Modes = ["live", "console", "off"];

    /// <inheritdoc/>
    public override string Name => "#!modular-train";

    /// <inheritdoc/>
    public override string Description => "Chooses how training reports progress: a live output updated in place, a console line, or nothing.";

    /// <inheritdoc/>
    public override IReadOnlyList<MagicParameter> Parameters { get; } =
    [
        new("--progress", "where progress goes (default live in a notebook, console elsewhere)", AllowedValues: Modes),
        new("--refresh-ms", "least time between two redraws, in milliseconds (default 250)"),
    ];

    /// <inheritdoc/>
    protected override string Execute(MagicArguments arguments)
    {
        string mode = arguments.Choice("--progress", Modes, Output.InNotebook ? "live" : "console");
        var interval = TimeSpan.FromMilliseconds(arguments.WholeNumber("--refresh-ms", minimum: 0, fallback: 250));
        AmbientProgress.Factory = mode switch
        {
            "live" => Output.Notebook is { } display
                ? () => new LiveProgress(display, interval)
                : throw new ConfigurationException("--progress live needs the notebook extension (load the package with #r \"nuget: Modular.Interactive\"); use console in scripts."),
            "console" => () => new ConsoleProgress(Console.Out, interval),
            _ => static () => null,
        };
        string what = mode switch
        {
            "live" => "one output per run, updated in place",
            "console" => "a console line per run, rewritten in place",
            _ => "not shown",
        };
        return string.Create(CultureInfo.InvariantCulture,
            $"<div class=\"modular-message\" style=\"font-family:{Markup.FontFamily};font-size:13px;color:{Markup.TextColor}\">Training progress: {what}" +
            $"{(mode == "off" ? "" : $", redrawn at most every {interval.TotalMilliseconds:0} ms")}.</div>");
    }
}
