using Modular.Interactive.Rendering;
using Modular.Reports;

namespace Modular.Interactive.Progress;

/// <summary>
/// Shows training progress as one HTML output that is replaced in place. <c>show</c> displays HTML and returns a
/// function that replaces what it displayed; the notebook extension builds it on the kernel's display API.
/// </summary>
public sealed class LiveProgress(Func<string, Action<string>> show, TimeSpan interval, TimeProvider? clock = null) : ThrottledProgress(interval, clock)
{
    private Action<string>? replace;

    /// <inheritdoc/>
    protected override void Draw(TrainingProgress progress, IReadOnlyList<double> recentLosses)
    {
        string html = ProgressLine.Html(progress, recentLosses);
        if (replace is null) replace = show(html);
        else replace(html);
    }
}
