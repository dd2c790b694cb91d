using Microsoft.DotNet.Interactive.Formatting;
using Modular.Interactive.Notebook;
using Modular.Interactive.Rendering;

namespace Modular.Interactive.Tests.Notebook;

/// <summary>Runs against the kernel's own formatting library; the formatter registry is global, so these tests do not run in parallel with each other.</summary>
[Collection(nameof(GlobalState))]
public sealed class FormatterTests : IDisposable
{
    public FormatterTests() => Formatter.ResetToDefault();

    public void Dispose() => Formatter.ResetToDefault();

    public static TheoryData<string> ReportKinds => ["heatmap", "table", "history", "run", "load", "summary", "progress"];

    private static object Report(string kind) => kind switch
    {
        "heatmap" => DemoReports.Allocation(),
        "table" => DemoReports.Comparison(),
        "history" => DemoReports.Curves(),
        "run" => DemoReports.Curves().Runs[0],
        "load" => DemoReports.Load(),
        "summary" => DemoReports.LoraModel(),
        _ => new Modular.Reports.TrainingProgress(5, 10, 0.5, TimeSpan.FromSeconds(5)),
    };

    [Theory]
    [MemberData(nameof(ReportKinds))]
    public void Report_types_format_as_our_html_by_naming_convention_without_registration(string kind)
    {
        object report = Report(kind);

        Assert.Equal(ReportRenderer.ToHtml(report), report.ToDisplayString("text/html"));
    }

    [Fact]
    public void Report_types_prefer_html()
    {
        Assert.Equal(ReportRenderer.ToHtml(DemoReports.Load()), DemoReports.Load().ToDisplayString(Formatter.GetPreferredMimeTypesFor(typeof(Modular.Reports.ExpertLoad)).First()));
    }

    [Fact]
    public void Types_registered_through_the_formatter_api_format_as_our_html()
    {
        var model = new FakeModel();
        string expected = ReportRenderer.ToHtml(model.Summarize());
        Assert.NotEqual(expected, model.ToDisplayString("text/html"));

        var formatter = new ReportHtmlFormatter();
        foreach (var type in ReportFormatterSource.FormattedTypes)
        {
            Formatter.Register(type, (value, writer) => formatter.Format(value, writer), formatter.MimeType);
        }

        Assert.Equal(expected, model.ToDisplayString("text/html"));
        Assert.Equal(ReportRenderer.ToHtml(DemoReports.Comparison()), DemoReports.Comparison().ToDisplayString("text/html"));
    }
}

/// <summary>Tests that touch process-wide state (the kernel's formatter registry, the ambient progress factory, the notebook connection).</summary>
[CollectionDefinition(nameof(GlobalState), DisableParallelization = true)]
public sealed class GlobalState;
