using System.Globalization;

namespace Modular.Reports;

/// <summary>
/// A matrix of values with labelled rows and columns: experts × tokens, tasks × skills, layers × modules,
/// accuracy per language × configuration. NaN marks a missing value and is shown as such.
/// </summary>
[TypeFormatterSource(ReportFormatting.FormatterSource)]
public sealed class Heatmap
{
    private readonly double[,] values;

    /// <summary>Creates a heatmap; <paramref name="values"/> is copied and has one row per row label and one column per column label.</summary>
    public Heatmap(double[,] values, IReadOnlyList<string> rowLabels, IReadOnlyList<string> columnLabels)
    {
        ArgumentNullException.ThrowIfNull(values);
        int rows = values.GetLength(0), columns = values.GetLength(1);
        if (rows == 0 || columns == 0)
        {
            throw new ReportDataException($"A heatmap needs at least one row and one column; the values given are {rows} × {columns}.");
        }
        RowLabels = Labels.Check(rowLabels, "row");
        ColumnLabels = Labels.Check(columnLabels, "column");
        if (RowLabels.Count != rows || ColumnLabels.Count != columns)
        {
            throw new ShapeMismatchException(
                $"Heatmap values are {rows} × {columns} (rows × columns) but {RowLabels.Count} row labels and {ColumnLabels.Count} column labels were given; " +
                "pass one label per row and per column.");
        }
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                if (double.IsInfinity(values[r, c]))
                {
                    throw new ReportDataException(
                        $"Heatmap value at row {r} ('{RowLabels[r]}'), column {c} ('{ColumnLabels[c]}') is infinite; use NaN for a missing value.");
                }
            }
        }
        this.values = (double[,])values.Clone();
    }

    /// <summary>Number of rows.</summary>
    public int Rows => values.GetLength(0);

    /// <summary>Number of columns.</summary>
    public int Columns => values.GetLength(1);

    /// <summary>The value in row <paramref name="row"/>, column <paramref name="column"/> (NaN when missing).</summary>
    public double this[int row, int column] => values[row, column];

    /// <summary>One label per row, top to bottom.</summary>
    public IReadOnlyList<string> RowLabels { get; }

    /// <summary>One label per column, left to right.</summary>
    public IReadOnlyList<string> ColumnLabels { get; }

    /// <summary>Heading shown above the picture.</summary>
    public string? Title { get; init; }

    /// <summary>Sentence shown below the picture: what the colours mean, how the data was produced.</summary>
    public string? Caption { get; init; }

    /// <summary>What the rows are, e.g. "expert".</summary>
    public string? RowAxisName { get; init; }

    /// <summary>What the columns are, e.g. "token".</summary>
    public string? ColumnAxisName { get; init; }

    /// <summary>.NET numeric format for values in hover text and cells (invariant culture), e.g. <c>"0.00"</c>, <c>"P0"</c>, <c>"N0"</c>.</summary>
    public string ValueFormat
    {
        get;
        init
        {
            try
            {
                _ = 1.5.ToString(value, CultureInfo.InvariantCulture);
            }
            catch (FormatException e)
            {
                throw new ReportDataException($"Heatmap value format '{value}' is not a .NET numeric format string ({e.Message}); try \"0.00\", \"P0\" or \"N0\".");
            }
            field = value;
        }
    } = "G4";

    /// <summary>Value mapped to the lowest colour; by default the smallest value present.</summary>
    public double? Minimum { get; init; }

    /// <summary>Value mapped to the highest colour; by default the largest value present.</summary>
    public double? Maximum { get; init; }

    /// <summary>The value range the colours span: <see cref="Minimum"/>/<see cref="Maximum"/> where given, else the data's own (0..1 when all values are missing).</summary>
    public (double Low, double High) ColorRange
    {
        get
        {
            double low = double.PositiveInfinity, high = double.NegativeInfinity;
            foreach (double v in values)
            {
                if (double.IsNaN(v)) continue;
                low = Math.Min(low, v);
                high = Math.Max(high, v);
            }
            if (double.IsPositiveInfinity(low)) (low, high) = (0, 1);
            low = Minimum ?? low;
            high = Maximum ?? high;
            if (high < low)
            {
                throw new ReportDataException($"Heatmap colour range is empty: minimum {low} is above maximum {high}; fix Minimum/Maximum.");
            }
            return (low, high);
        }
    }

    /// <summary>Formats one value with <see cref="ValueFormat"/>; missing values read "NaN".</summary>
    public string FormatValue(double value) =>
        double.IsNaN(value) ? "NaN" : value.ToString(ValueFormat, CultureInfo.InvariantCulture);

    /// <summary>A copy of the values, row-major.</summary>
    public double[,] ToArray() => (double[,])values.Clone();

    /// <summary>
    /// Sums columns that <paramref name="group"/> maps to the same name (e.g. languages into their scripts), keeping the
    /// first appearance order of the groups; NaN counts as missing.
    /// </summary>
    public Heatmap GroupColumns(Func<string, string> group, string? columnAxisName = null)
    {
        ArgumentNullException.ThrowIfNull(group);
        var names = ColumnLabels.Select(group).ToList();
        var groups = names.Distinct().ToList();
        var summed = new double[Rows, groups.Count];
        for (int c = 0; c < Columns; c++)
        {
            int g = groups.IndexOf(names[c]);
            for (int r = 0; r < Rows; r++) if (!double.IsNaN(values[r, c])) summed[r, g] += values[r, c];
        }
        return new Heatmap(summed, RowLabels, groups)
        {
            Title = Title,
            Caption = Caption,
            RowAxisName = RowAxisName,
            ColumnAxisName = columnAxisName ?? ColumnAxisName,
            ValueFormat = ValueFormat,
        };
    }

    /// <summary>
    /// Rescales non-negative values so that rows, columns or the whole matrix sum to 1 (missing values are skipped;
    /// a line summing to 0 stays 0). The copy keeps the labels and texts and spans colours from 0 to 1.
    /// </summary>
    public Heatmap Normalize(HeatmapNormalization normalization)
    {
        if (normalization == HeatmapNormalization.None) return this;
        foreach (double v in values)
        {
            if (v < 0)
            {
                throw new ReportDataException(
                    $"Heatmap '{Title}' has negative values, so it cannot be normalised to sums of 1; use {nameof(HeatmapNormalization)}.{nameof(HeatmapNormalization.None)}.");
            }
        }
        var scaled = new double[Rows, Columns];
        for (int r = 0; r < Rows; r++)
        {
            for (int c = 0; c < Columns; c++)
            {
                double total = normalization switch
                {
                    HeatmapNormalization.Rows => Sum(r, r + 1, 0, Columns),
                    HeatmapNormalization.Columns => Sum(0, Rows, c, c + 1),
                    _ => Sum(0, Rows, 0, Columns),
                };
                scaled[r, c] = total > 0 ? values[r, c] / total : values[r, c];
            }
        }
        return new Heatmap(scaled, RowLabels, ColumnLabels)
        {
            Title = Title,
            Caption = Caption,
            RowAxisName = RowAxisName,
            ColumnAxisName = ColumnAxisName,
            ValueFormat = "0.00",
            Minimum = 0,
            Maximum = 1,
        };
    }

    private double Sum(int rowStart, int rowEnd, int columnStart, int columnEnd)
    {
        double sum = 0;
        for (int r = rowStart; r < rowEnd; r++)
        {
            for (int c = columnStart; c < columnEnd; c++)
            {
                if (!double.IsNaN(values[r, c])) sum += values[r, c];
            }
        }
        return sum;
    }
}
