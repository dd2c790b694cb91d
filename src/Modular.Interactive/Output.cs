using Modular.Interactive.Rendering;

namespace Modular.Interactive;

/// <summary>
/// Where <see cref="Show"/> sends pictures and tables: the notebook output when the notebook extension is loaded,
/// otherwise the <see cref="HtmlReport"/> a script has open. The same code thus runs in a notebook cell and in a
/// <c>dotnet run file.cs</c> script.
/// </summary>
public static class Output
{
    private static volatile Func<string, Action<string>>? notebook;

    /// <summary>Whether a notebook display has been connected with <see cref="UseNotebook"/>.</summary>
    public static bool InNotebook => notebook is not null;

    /// <summary>The notebook display, if connected: shows HTML and returns a function that replaces it in place.</summary>
    internal static Func<string, Action<string>>? Notebook => notebook;

    /// <summary>
    /// Connects the notebook display; called by the package's notebook extension. <paramref name="display"/> shows an
    /// HTML fragment as a cell output and returns a function that replaces that output; null disconnects it.
    /// </summary>
    public static void UseNotebook(Func<string, Action<string>>? display) => notebook = display;

    /// <summary>Displays <paramref name="value"/> in the notebook, or adds it to the script's current <see cref="HtmlReport"/>.</summary>
    public static void Show(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (notebook is { } display)
        {
            display(ReportRenderer.ToHtml(value));
        }
        else if (HtmlReport.Current is { } report)
        {
            report.Add(value);
        }
        else
        {
            throw new ConfigurationException(
                "Show(...) has nowhere to go: no notebook is connected and no report is open. " +
                "In a script, open one first: using var report = new HtmlReport(\"run.html\");");
        }
    }
}
