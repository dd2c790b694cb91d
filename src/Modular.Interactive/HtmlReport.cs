using System.Text;
using Modular.Interactive.Rendering;

namespace Modular.Interactive;

/// <summary>
/// A standalone HTML page collecting renderings, for scripts: <c>report.Add(x)</c> renders any report object now,
/// <c>report.Save("run.html")</c> writes one self-contained file (no scripts, no network) atomically. Opening a
/// report makes it the target of <see cref="Output.Show"/> on this flow of execution; disposing a report created with
/// a path saves it there.
/// </summary>
public sealed class HtmlReport : IDisposable
{
    private static readonly AsyncLocal<HtmlReport?> CurrentReport = new();

    private readonly List<string> sections = [];
    private readonly HtmlReport? previous;
    private readonly string? path;

    /// <summary>Opens a report titled <paramref name="title"/>; with a <paramref name="path"/>, disposing it saves it there.</summary>
    public HtmlReport(string? path = null, string title = "Modular report")
    {
        this.path = path;
        Title = title ?? throw new ArgumentNullException(nameof(title));
        previous = CurrentReport.Value;
        CurrentReport.Value = this;
    }

    /// <summary>The report <see cref="Output.Show"/> adds to, if one is open.</summary>
    public static HtmlReport? Current => CurrentReport.Value;

    /// <summary>Heading of the page and its browser title.</summary>
    public string Title { get; }

    /// <summary>Number of items added so far.</summary>
    public int Count => sections.Count;

    /// <summary>Renders <paramref name="item"/> as it is now and appends it; strings become paragraphs.</summary>
    public HtmlReport Add(object item)
    {
        ArgumentNullException.ThrowIfNull(item);
        sections.Add(ReportRenderer.ToHtml(item));
        return this;
    }

    /// <summary>Appends a section heading.</summary>
    public HtmlReport AddHeading(string text)
    {
        sections.Add($"<h2>{Markup.Escape(text)}</h2>");
        return this;
    }

    /// <summary>The whole page as one self-contained HTML document.</summary>
    public string ToHtml()
    {
        var page = new StringBuilder();
        page.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append(Markup.Invariant, $"<title>{Markup.Escape(Title)}</title>\n")
            .Append(Markup.Invariant, $"<style>body{{font-family:{Markup.FontFamily};color:{Markup.TextColor};max-width:1120px;margin:32px auto;padding:0 24px;line-height:1.45}}")
            .Append("h1{font-size:24px;margin:0 0 24px 0}h2{font-size:18px;margin:32px 0 12px 0;padding-bottom:4px;border-bottom:1px solid #e5e7eb}")
            .Append("section{margin:0 0 28px 0}</style>\n</head>\n<body>\n")
            .Append(Markup.Invariant, $"<h1>{Markup.Escape(Title)}</h1>\n");
        foreach (string section in sections) page.Append("<section>").Append(section).Append("</section>\n");
        return page.Append("</body>\n</html>\n").ToString();
    }

    /// <summary>Writes the page to <paramref name="file"/> (the path given at creation by default): to a temporary file first, then renamed over the target.</summary>
    public void Save(string? file = null)
    {
        file ??= path ?? throw new ConfigurationException($"Report '{Title}' has no file to save to; pass one: report.Save(\"run.html\").");
        string full = Path.GetFullPath(file);
        string directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temporary, ToHtml(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Saves to the path given at creation, if any, and restores the previously current report.</summary>
    public void Dispose()
    {
        if (ReferenceEquals(CurrentReport.Value, this)) CurrentReport.Value = previous;
        if (path is not null) Save();
    }
}
