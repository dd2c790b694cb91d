namespace Modular;

/// <summary>Names the notebook formatter that renders report types, so that Core can point at it without referencing it.</summary>
internal static class ReportFormatting
{
    /// <summary>Assembly-qualified name of the formatter source in Modular.Interactive.</summary>
    public const string FormatterSource = "Modular.Interactive.Notebook.ReportFormatterSource, Modular.Interactive";
}
