using System.Diagnostics;
using HtmlAgilityPack;

namespace Modular.Interactive.Tests.Tutorials;

/// <summary>
/// Runs every tutorial script end to end in quick mode (tiny sizes, one seed) as a user would — <c>dotnet run
/// tutorials/name.cs -- --quick --report file</c> — and checks that its report holds the tables and pictures the
/// tutorial promises. One class, so the scripts (which build the same projects) run one after another.
/// </summary>
public class TutorialScriptTests
{
    public static TheoryData<string, string[]> Tutorials => new()
    {
        { "taxonomy-tour", ["modular-summary", "modular-peft-table", "modular-curves"] },
        { "mad-x", ["modular-results-table", "modular-heatmap"] },
        { "polytropon", ["modular-results-table", "modular-heatmap"] },
        { "moe", ["modular-results-table", "modular-heatmap", "modular-expert-load"] },
    };

    [Theory]
    [MemberData(nameof(Tutorials))]
    public void Tutorial_runs_in_quick_mode_and_reports_its_tables_and_heatmaps(string name, string[] figures)
    {
        var report = Path.Combine(Repository.Artifacts("tutorials"), name + ".html");
        File.Delete(report);
        var (exitCode, output) = Run(Path.Combine(Repository.Root, "tutorials", name + ".cs"), "--quick", "--report", report);
        Assert.True(exitCode == 0, $"tutorials/{name}.cs exited with {exitCode}:\n{output}");
        var html = new HtmlDocument();
        html.Load(report);
        Assert.Empty(html.ParseErrors);
        var classes = html.DocumentNode.Descendants("figure").Select(f => f.GetAttributeValue("class", "")).ToList();
        foreach (var figure in figures)
            Assert.True(classes.Any(c => c.Split(' ').Contains(figure)), $"the {name} report has no {figure}; it has: {string.Join(", ", classes)}");
        Assert.DoesNotContain("NaN", string.Join(" ", html.DocumentNode.Descendants("td").Select(td => td.InnerText)));
    }

    [Fact]
    public void The_moe_tutorial_runs_on_libtorch_with_device_torch_cpu_and_both_backends_agree()
    {
        var report = Path.Combine(Repository.Artifacts("tutorials"), "moe-torch.html");
        File.Delete(report);
        var (exitCode, output) = Run(Path.Combine(Repository.Root, "tutorials", "moe.cs"), "--quick", "--device", "torch-cpu", "--report", report);
        Assert.True(exitCode == 0, $"tutorials/moe.cs --device torch-cpu exited with {exitCode}:\n{output}");
        var html = new HtmlDocument();
        html.Load(report);
        // the last section trains the same model on each backend: one row per device, the same losses to the digits shown
        var rows = html.DocumentNode.Descendants("tr").Select(r => r.Descendants("td").Select(td => td.InnerText.Trim()).ToList()).Where(r => r.Count == 6).ToList();
        var cpu = Assert.Single(rows, r => r[0] == "cpu");
        var torch = Assert.Single(rows, r => r[0] == "torch:cpu");
        Assert.Equal(cpu.Skip(1).Take(4), torch.Skip(1).Take(4));
        Assert.Contains("top-2 on torch:cpu", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_mad_x_experiment_on_unseen_languages_runs_in_quick_mode_and_reports_its_tables()
    {
        var report = Path.Combine(Repository.Artifacts("tutorials"), "mad-x-unseen-languages.html");
        File.Delete(report);
        var (exitCode, output) = Run(Path.Combine(Repository.Root, "experiments", "mad-x-unseen-languages.cs"), "--quick", "--report", report);
        Assert.True(exitCode == 0, $"experiments/mad-x-unseen-languages.cs exited with {exitCode}:\n{output}");
        var html = new HtmlDocument();
        html.Load(report);
        Assert.Empty(html.ParseErrors);
        Assert.Equal(2, html.DocumentNode.Descendants("figure").Count(f => f.GetAttributeValue("class", "").Split(' ').Contains("modular-results-table")));
        var rows = html.DocumentNode.Descendants("tr").Select(r => r.InnerText).ToList();
        Assert.Contains(rows, r => r.StartsWith("MAD-X", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.StartsWith("task adapter only", StringComparison.Ordinal));
        Assert.DoesNotContain("NaN", string.Join(" ", html.DocumentNode.Descendants("td").Select(td => td.InnerText)));
    }

    private static (int ExitCode, string Output) Run(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Repository.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("run");
        start.ArgumentList.Add(script);
        start.ArgumentList.Add("--");
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out after 5 minutes\n" + stdout.Result + stderr.Result);
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
