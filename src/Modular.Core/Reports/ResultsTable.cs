using System.Globalization;

namespace Modular.Reports;

/// <summary>
/// A table of results: named columns and rows of cells, each a text, a number or a <see cref="Measurement"/>
/// (mean ± standard deviation over seeds) — the results tables the tutorials end with.
/// </summary>
[TypeFormatterSource(ReportFormatting.FormatterSource)]
public sealed class ResultsTable
{
    private readonly List<IReadOnlyList<object?>> rows = [];

    /// <summary>Creates an empty table with the given column headers.</summary>
    public ResultsTable(params string[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Length == 0) throw new ReportDataException("A results table needs at least one column.");
        Columns = [.. columns.Select(c => Labels.Required(c, "A results-table column"))];
    }

    /// <summary>The column headers.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The rows, each with one cell per column (string, number, <see cref="Measurement"/> or null).</summary>
    public IReadOnlyList<IReadOnlyList<object?>> Rows => rows;

    /// <summary>Heading shown above the table.</summary>
    public string? Title { get; init; }

    /// <summary>Sentence shown below the table.</summary>
    public string? Caption { get; init; }

    /// <summary>Digits after the decimal point for numbers and measurements.</summary>
    public int Decimals { get; init; } = 3;

    /// <summary>Appends a row; cells must be strings, numbers, measurements or null, one per column.</summary>
    public ResultsTable Add(params object?[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Length != Columns.Count) throw new ShapeMismatchException($"Results table '{Title}': a row has {cells.Length} cells for {Columns.Count} columns ({string.Join(", ", Columns)}).");
        foreach (var cell in cells)
            if (cell is not (null or string or Measurement or int or long or float or double))
                throw new ReportDataException($"Results table '{Title}': a cell of type {cell.GetType().Name} cannot be shown; use text, a number or a Measurement.");
        rows.Add(cells);
        return this;
    }

    /// <summary>A cell as text: numbers with <see cref="Decimals"/> digits, measurements as "mean ± sd".</summary>
    public string Format(object? cell) => cell switch
    {
        null => "",
        string s => s,
        Measurement m => m.StandardDeviation is { } sd ? $"{m.Mean.ToString($"F{Decimals}", CultureInfo.InvariantCulture)} ± {sd.ToString($"F{Decimals}", CultureInfo.InvariantCulture)}" : m.Mean.ToString($"F{Decimals}", CultureInfo.InvariantCulture),
        int or long => Convert.ToInt64(cell, CultureInfo.InvariantCulture).ToString("N0", CultureInfo.InvariantCulture),
        float or double => Convert.ToDouble(cell, CultureInfo.InvariantCulture).ToString($"F{Decimals}", CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? "",
    };

    /// <summary>The table as Markdown (for READMEs and logs).</summary>
    public string ToMarkdown()
    {
        var lines = new List<string>
        {
            "| " + string.Join(" | ", Columns) + " |",
            "|" + string.Concat(Columns.Select((_, i) => rows.Count > 0 && rows[0][i] is not string ? "---:|" : "---|")),
        };
        lines.AddRange(rows.Select(r => "| " + string.Join(" | ", r.Select(Format)) + " |"));
        return string.Join("\n", lines);
    }

    /// <inheritdoc/>
    public override string ToString() => (Title is null ? "" : Title + "\n") + ToMarkdown();
}
