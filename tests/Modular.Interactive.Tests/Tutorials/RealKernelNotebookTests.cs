using System.Text.Json;

namespace Modular.Interactive.Tests.Tutorials;

/// <summary>
/// Every notebook in notebooks/, unmodified, executed in quick mode in the real kernel under Jupyter: no error and
/// nothing on standard error (no compiler warnings) in any output, and the pictures each tutorial promises.
/// </summary>
public sealed class RealKernelNotebookTests(RealKernel kernel) : IClassFixture<RealKernel>
{
    public static TheoryData<string, string[]> Notebooks => new()
    {
        { "taxonomy-tour", ["modular-summary", "modular-peft-table", "modular-curves"] },
        { "mad-x", ["modular-results-table", "modular-heatmap"] },
        { "polytropon", ["modular-results-table", "modular-heatmap"] },
        { "moe", ["modular-results-table", "modular-heatmap", "modular-expert-load"] },
    };

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Notebook_runs_as_shipped_in_the_real_kernel_and_shows_its_figures(string name, string[] figures)
    {
        Assert.True(kernel.Missing is null, $"The real kernel cannot run here: {kernel.Missing}");
        var (exitCode, log, executed) = kernel.Execute(Path.Combine(Repository.Root, "notebooks", name + ".ipynb"), TimeSpan.FromMinutes(8));
        Assert.True(exitCode == 0 && executed is not null, $"notebooks/{name}.ipynb failed in the real kernel (exit {exitCode}):\n{log}");

        var outputs = executed.RootElement.GetProperty("cells").EnumerateArray()
            .Where(c => c.GetProperty("cell_type").GetString() == "code")
            .SelectMany(c => c.GetProperty("outputs").EnumerateArray()).ToList();
        var problems = outputs.Where(o => o.GetProperty("output_type").GetString() == "error"
            || (o.GetProperty("output_type").GetString() == "stream" && o.GetProperty("name").GetString() == "stderr"))
            .Select(o => o.GetRawText()).ToList();
        Assert.True(problems.Count == 0, $"notebooks/{name}.ipynb has error or stderr output:\n{string.Join("\n", problems)}");

        var html = outputs.Select(o => o.TryGetProperty("data", out var data) && data.TryGetProperty("text/html", out var h) ? Text(h) : null).OfType<string>().ToList();
        // the setup cell loaded the freshly packed packages and ran the extension
        Assert.Contains(html, h => h.Contains(kernel.Packages, StringComparison.Ordinal));
        Assert.Contains(html, h => h.StartsWith("Modular loaded", StringComparison.Ordinal));
        foreach (string figure in figures)
        {
            Assert.True(html.Any(h => h.Contains($"modular-figure {figure}", StringComparison.Ordinal)), $"notebooks/{name}.ipynb shows no {figure}");
        }
        if (figures.Contains("modular-heatmap"))
        {
            Assert.Contains(html, h => h.Contains("modular-figure modular-heatmap", StringComparison.Ordinal) && h.Contains("<svg", StringComparison.Ordinal));
        }
        if (figures.Contains("modular-summary"))
        {
            var summary = html.First(h => h.Contains("modular-figure modular-summary", StringComparison.Ordinal));
            Assert.True(summary.Length < 25_000, $"the model summary is {summary.Length:N0} characters");
        }
        // Live progress: one output per training run, replaced in place until it shows the last step.
        var progress = html.Where(h => h.Contains("modular-progress", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(progress);
        Assert.All(progress, p => Assert.Contains("aria-valuenow=\"100\"", p, StringComparison.Ordinal));
    }

    /// <summary>An nbformat multiline string: one string, or an array of lines.</summary>
    private static string Text(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array ? string.Concat(value.EnumerateArray().Select(l => l.GetString())) : value.GetString() ?? "";
}
