using Modular.Interactive.Rendering;

namespace Modular.Interactive.Tests;

[Collection(nameof(Notebook.GlobalState))]
public sealed class HtmlReportTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("modular-report-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Save_writes_one_self_contained_page_with_every_item_and_leaves_no_temporary_file()
    {
        using var report = new HtmlReport(title: "Run <1>");
        report.AddHeading("Routing").Add(DemoReports.Allocation()).Add("Note: a & b").Add(DemoReports.Comparison());
        string file = Path.Combine(folder, "sub", "run.html");

        report.Save(file);

        string html = File.ReadAllText(file);
        var document = Html.Parse(html);
        Assert.Equal(["run.html"], Directory.GetFiles(Path.GetDirectoryName(file)!).Select(Path.GetFileName));
        Assert.Equal("Run <1>", document.All("//title")[0].Text());
        Assert.Equal(4, document.All("//section").Count);
        Assert.Equal(48, document.All("//rect[@class='cell']").Count);
        Assert.Empty(document.All("//script | //link | //*[@src]"));
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Saving_again_replaces_the_file()
    {
        string file = Path.Combine(folder, "run.html");
        using var report = new HtmlReport(file);
        report.Save();
        report.Add(DemoReports.Load()).Save();

        Assert.Single(Html.Parse(File.ReadAllText(file)).All("//section"));
    }

    [Fact]
    public void Show_adds_to_the_open_report_and_disposing_saves_it()
    {
        string file = Path.Combine(folder, "shown.html");
        using (var report = new HtmlReport(file))
        {
            Assert.Same(report, HtmlReport.Current);
            Output.Show(DemoReports.Curves());
            Assert.Equal(1, report.Count);
        }

        Assert.Null(HtmlReport.Current);
        Assert.Equal(4, Html.Parse(File.ReadAllText(file)).All("//polyline[@class='series']").Count);
    }

    [Fact]
    public void Show_without_a_report_or_notebook_says_how_to_open_one()
    {
        var error = Assert.Throws<ConfigurationException>(() => Output.Show(DemoReports.Load()));

        Assert.Contains("using var report = new HtmlReport(\"run.html\");", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Show_in_a_notebook_displays_the_rendering()
    {
        var displayed = new List<string>();
        Output.UseNotebook(html => { displayed.Add(html); return _ => { }; });
        try
        {
            Output.Show(DemoReports.Load());
        }
        finally
        {
            Output.UseNotebook(null);
        }

        Assert.Equal([ReportRenderer.ToHtml(DemoReports.Load())], displayed);
    }

    [Fact]
    public void Objects_that_are_not_reports_are_refused_with_the_list_of_renderable_types()
    {
        using var report = new HtmlReport();
        var error = Assert.Throws<ConfigurationException>(() => report.Add(42));

        Assert.StartsWith("Modular cannot render a Int32; it renders Heatmap, ParameterEfficiencyTable, ResultsTable, TrainingHistory", error.Message, StringComparison.Ordinal);
    }
}
