using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Modular.Data;

/// <summary>
/// A tab-separated file as the shipped samples store them: a header row naming the columns, then one record per line,
/// UTF-8, no quoting — so no field may hold a tab or a line break. Reading checks every row against the header and
/// reports damage by file and line.
/// </summary>
internal sealed class TsvTable
{
    private TsvTable(string path, IReadOnlyList<string> header, IReadOnlyList<string[]> rows)
    {
        Path = path;
        Header = header;
        Rows = rows;
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>The column names.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>The records, each with exactly <see cref="Header"/>.Count fields.</summary>
    public IReadOnlyList<string[]> Rows { get; }

    /// <summary>Reads <paramref name="fileName"/> from <paramref name="directory"/>; <paramref name="dataset"/> names the data set in errors.</summary>
    /// <exception cref="DataFileException">The file is missing, not UTF-8, empty, or has a row whose field count differs from the header's.</exception>
    public static TsvTable Read(string directory, string fileName, string dataset)
    {
        string path = DataDirectory.RequireFile(directory, fileName, dataset);
        var lines = ReadLines(path);
        if (lines.Length == 0) throw Damaged(path, 1, "the file is empty; it should start with a header row");

        var header = lines[0].Split('\t');
        var rows = new List<string[]>(lines.Length - 1);
        for (int i = 1; i < lines.Length; i++)
        {
            var fields = lines[i].Split('\t');
            if (fields.Length != header.Length)
                throw Damaged(path, i + 1, $"expected {header.Length} tab-separated fields ({string.Join(", ", header)}), found {fields.Length}");
            rows.Add(fields);
        }
        return new TsvTable(path, header, rows);
    }

    /// <summary>Writes a table atomically.</summary>
    /// <exception cref="ConfigurationException">A row has the wrong number of fields or a field holds a tab or a line break.</exception>
    public static void Write(string path, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var text = new StringBuilder();
        AppendRow(text, header, path, 0, header.Count);
        int index = 0;
        foreach (var row in rows) AppendRow(text, row, path, ++index, header.Count);
        IO.AtomicFile.WriteAllText(path, text.ToString());
    }

    /// <summary>Checks the header is exactly <paramref name="columns"/>.</summary>
    /// <exception cref="DataFileException">It is not.</exception>
    public void RequireHeader(params string[] columns)
    {
        if (!Header.SequenceEqual(columns))
            throw HeaderError($"expected the columns {string.Join(", ", columns)}");
    }

    /// <summary>An error about the header row.</summary>
    public DataFileException HeaderError(string problem) => Damaged(Path, 1, $"the header is '{string.Join(", ", Header)}': {problem}");

    /// <summary>An error about row <paramref name="rowIndex"/> (0-based, after the header), naming its line.</summary>
    public DataFileException Error(int rowIndex, string problem) => Damaged(Path, rowIndex + 2, problem);

    /// <summary>Parses an integer field, or reports the row as damaged.</summary>
    public int ParseInt(int rowIndex, int column) =>
        int.TryParse(Rows[rowIndex][column], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int value)
            ? value
            : throw Error(rowIndex, $"column '{Header[column]}' holds '{Rows[rowIndex][column]}', not a non-negative integer");

    /// <summary>The file's lines (a final newline and carriage returns dropped), decoded as strict UTF-8 so a damaged byte is reported by line.</summary>
    private static string[] ReadLines(string path)
    {
        ReadOnlySpan<byte> bytes = File.ReadAllBytes(path);
        if (bytes.StartsWith(Encoding.UTF8.Preamble)) bytes = bytes[Encoding.UTF8.Preamble.Length..];
        var chars = new char[bytes.Length];
        if (Utf8.ToUtf16(bytes, chars, out int read, out int written, replaceInvalidSequences: false) != OperationStatus.Done)
            throw Damaged(path, bytes[..read].Count((byte)'\n') + 1, $"the bytes after the first {read} are not valid UTF-8");
        var text = chars.AsSpan(0, written);
        if (text.EndsWith("\n")) text = text[..^1];
        return text.Length == 0 ? [] : [.. text.ToString().Split('\n').Select(line => line.TrimEnd('\r'))];
    }

    private static void AppendRow(StringBuilder text, IReadOnlyList<string> fields, string path, int index, int width)
    {
        if (fields.Count != width)
            throw new ConfigurationException($"Writing '{path}': row {index} has {fields.Count} fields, the header has {width}.");
        for (int i = 0; i < fields.Count; i++)
        {
            if (fields[i].AsSpan().IndexOfAny('\t', '\n', '\r') >= 0)
                throw new ConfigurationException($"Writing '{path}': row {index}, field {i} holds a tab or line break ('{fields[i]}'); normalise whitespace before saving.");
            if (i > 0) text.Append('\t');
            text.Append(fields[i]);
        }
        text.Append('\n');
    }

    private static DataFileException Damaged(string path, int line, string problem) =>
        new($"'{System.IO.Path.GetFullPath(path)}' line {line}: {problem}. {DataDirectory.Remedy}", path);
}
