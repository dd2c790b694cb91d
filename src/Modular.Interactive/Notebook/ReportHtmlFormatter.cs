using System.Diagnostics.CodeAnalysis;
using Modular.Interactive.Rendering;

namespace Modular.Interactive.Notebook;

/// <summary>
/// Formats report objects as HTML for the .NET Interactive kernel. It has the shape the kernel's naming convention
/// expects (a <see cref="MimeType"/> and a single <see cref="Format"/> method) so it needs no kernel package, and it
/// also works as the delegate given to <c>Formatter.Register</c>.
/// </summary>
[SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "The kernel finds these by name as instance members.")]
public sealed class ReportHtmlFormatter
{
    /// <summary>The MIME type this formatter writes.</summary>
    public string MimeType => "text/html";

    /// <summary>Writes <paramref name="instance"/> as HTML and returns true, or returns false when it is not renderable.</summary>
    public bool Format(object instance, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (!ReportRenderer.CanRender(instance)) return false;
        writer.Write(ReportRenderer.ToHtml(instance));
        return true;
    }
}
