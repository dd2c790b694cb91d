using System.Diagnostics.CodeAnalysis;
using Modular.Interactive.Rendering;

namespace Modular.Interactive.Notebook;

/// <summary>
/// The formatter source that report types in Modular.Core name through their <c>TypeFormatterSourceAttribute</c>:
/// the kernel creates it with its parameterless constructor and calls <see cref="CreateTypeFormatters"/>.
/// </summary>
[SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "The kernel finds these by name as instance members.")]
public sealed class ReportFormatterSource
{
    /// <summary>Types to register explicitly with <c>Formatter.Register</c>, for model types that carry no attribute but provide reports.</summary>
    public static IReadOnlyList<Type> FormattedTypes => ReportRenderer.RenderableTypes;

    /// <summary>The formatters the kernel should use for the annotated type.</summary>
    public IEnumerable<object> CreateTypeFormatters() => [new ReportHtmlFormatter()];
}
