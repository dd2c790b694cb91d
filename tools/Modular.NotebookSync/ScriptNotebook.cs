using System.Text;
using System.Text.Json;

namespace Modular.NotebookSync;

/// <summary>
/// Turns a tutorial written as a .NET file-based app into a Jupyter notebook for the .NET Interactive kernel, so the
/// script is the one source of truth. The script marks cells in the "percent" style: <c>// %% [markdown]</c> starts
/// a text cell whose lines are <c>// </c> comments, <c>// %%</c> a code cell, <c>// %% [script-only]</c> and
/// <c>// %% [notebook-only]</c> code that belongs to one form only (a notebook-only cell is commented out in the
/// script). Everything before the first marker (the <c>#:</c> directives) is the script's header; the notebook
/// instead starts with a note on how to run it and a cell that loads the packages written by <c>dotnet pack</c>.
/// The kernel compiles each cell outside a nullable context (a script has it on), so a <c>string?</c> annotation would
/// show users warning CS8632; a code cell with such an annotation gets <c>#nullable enable</c> as its first line.
/// </summary>
public static partial class ScriptNotebook
{
    private const string Marker = "// %%";

    /// <summary>A cell of a tutorial: markdown or code, and which forms it belongs to.</summary>
    public sealed record Cell(CellKind Kind, string Source);

    /// <summary>What a cell is.</summary>
    public enum CellKind
    {
        /// <summary>Prose (markdown).</summary>
        Markdown,

        /// <summary>Code in both the script and the notebook.</summary>
        Code,

        /// <summary>Code run only by the script (arguments, the report file).</summary>
        ScriptOnly,

        /// <summary>Code run only in the notebook (commented out in the script).</summary>
        NotebookOnly,
    }

    /// <summary>The cells of a script, in order (the header before the first marker is not a cell).</summary>
    public static IReadOnlyList<Cell> Parse(string script, string fileName = "script")
    {
        ArgumentNullException.ThrowIfNull(script);
        var lines = script.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var cells = new List<Cell>();
        CellKind? kind = null;
        var body = new List<string>();
        for (int i = 0; i <= lines.Length; i++)
        {
            bool end = i == lines.Length;
            if (!end && !lines[i].StartsWith(Marker, StringComparison.Ordinal))
            {
                if (kind is not null) body.Add(lines[i]);
                continue;
            }
            if (kind is { } k) cells.Add(new Cell(k, Body(k, body, fileName, i)));
            body.Clear();
            if (!end) kind = KindOf(lines[i], fileName, i + 1);
        }
        if (cells.Count == 0) throw new ConfigurationException($"{fileName}: no cells found; mark cells with '// %%' or '// %% [markdown]' lines.");
        return cells;
    }

    private static CellKind KindOf(string marker, string fileName, int line) => marker.Trim() switch
    {
        "// %%" => CellKind.Code,
        "// %% [markdown]" => CellKind.Markdown,
        "// %% [script-only]" => CellKind.ScriptOnly,
        "// %% [notebook-only]" => CellKind.NotebookOnly,
        var other => throw new ConfigurationException($"{fileName}, line {line}: unknown cell marker '{other}'; use '// %%', '// %% [markdown]', '// %% [script-only]' or '// %% [notebook-only]'."),
    };

    private static string Body(CellKind kind, List<string> lines, string fileName, int line)
    {
        var trimmed = lines.ToList();
        while (trimmed.Count > 0 && trimmed[^1].Trim().Length == 0) trimmed.RemoveAt(trimmed.Count - 1);
        while (trimmed.Count > 0 && trimmed[0].Trim().Length == 0) trimmed.RemoveAt(0);
        if (kind is CellKind.Markdown or CellKind.NotebookOnly)
        {
            // both are comments in the script: strip the "// " prefix
            for (int i = 0; i < trimmed.Count; i++)
            {
                var l = trimmed[i];
                if (l.Trim().Length == 0 || l.TrimEnd() == "//") { trimmed[i] = ""; continue; }
                if (!l.StartsWith("// ", StringComparison.Ordinal))
                    throw new ConfigurationException($"{fileName}, in the cell ending before line {line}: every line of a {(kind == CellKind.Markdown ? "markdown" : "notebook-only")} cell must start with '// ' (found '{l}').");
                trimmed[i] = l[3..];
            }
        }
        return string.Join("\n", trimmed);
    }

    /// <summary>
    /// The notebook (nbformat 4, .NET Interactive C# kernel) for a script: its markdown, shared and notebook-only cells,
    /// with a note on running it and the cell loading Modular.Interactive <paramref name="version"/> before the first code.
    /// </summary>
    public static string ToNotebook(string script, string version = "0.1.0", string fileName = "script")
    {
        var cells = Parse(script, fileName).Where(c => c.Kind != CellKind.ScriptOnly).Select(WithNullableContext).ToList();
        int firstCode = cells.FindIndex(c => c.Kind != CellKind.Markdown) is var first and >= 0 ? first : cells.Count;
        cells.InsertRange(firstCode, [new Cell(CellKind.Markdown, NotebookSetup.Note(fileName)), new Cell(CellKind.Code, NotebookSetup.Code(version))]);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteStartArray("cells");
            foreach (var cell in cells) WriteCell(json, cell);
            json.WriteEndArray();
            json.WriteStartObject("metadata");
            json.WriteStartObject("kernelspec");
            json.WriteString("display_name", ".NET (C#)");
            json.WriteString("language", "C#");
            json.WriteString("name", ".net-csharp");
            json.WriteEndObject();
            json.WriteStartObject("language_info");
            json.WriteString("file_extension", ".cs");
            json.WriteString("mimetype", "text/x-csharp");
            json.WriteString("name", "C#");
            json.WriteString("pygments_lexer", "csharp");
            json.WriteEndObject();
            json.WriteStartObject("polyglot_notebook");
            json.WriteStartObject("kernelInfo");
            json.WriteString("defaultKernelName", "csharp");
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteNumber("nbformat", 4);
            json.WriteNumber("nbformat_minor", 5);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>The cell, with <c>#nullable enable</c> first when it is code holding a nullable reference annotation.</summary>
    public static Cell WithNullableContext(Cell cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        bool needed = cell.Kind is CellKind.Code or CellKind.NotebookOnly
            && !cell.Source.Contains("#nullable", StringComparison.Ordinal)
            && cell.Source.Split('\n').Any(line => NullableAnnotation().IsMatch(StripComment(line)));
        return needed ? cell with { Source = "#nullable enable\n" + cell.Source } : cell;
    }

    private static string StripComment(string line) => line.IndexOf("//", StringComparison.Ordinal) is var at and >= 0 ? line[..at] : line;

    // A type name (or a closing > ] )) directly followed by ? and then a space, ) , > ] or =: string? s, (object?)x,
    // List<int?>, Polytropon? Poly. Not ?. ?? ?[ nor a spaced conditional (a ? b : c).
    [System.Text.RegularExpressions.GeneratedRegex(@"[\w>\]\)]\?(?=[\s),>\]=])")]
    private static partial System.Text.RegularExpressions.Regex NullableAnnotation();

    private static void WriteCell(Utf8JsonWriter json, Cell cell)
    {
        bool markdown = cell.Kind == CellKind.Markdown;
        json.WriteStartObject();
        json.WriteString("cell_type", markdown ? "markdown" : "code");
        if (!markdown) json.WriteNull("execution_count");
        json.WriteStartObject("metadata");
        if (!markdown)
        {
            json.WriteStartObject("dotnet_interactive");
            json.WriteString("language", "csharp");
            json.WriteEndObject();
            json.WriteStartObject("polyglot_notebook");
            json.WriteString("kernelName", "csharp");
            json.WriteEndObject();
        }
        json.WriteEndObject();
        if (!markdown)
        {
            json.WriteStartArray("outputs");
            json.WriteEndArray();
        }
        json.WriteStartArray("source");
        var lines = cell.Source.Split('\n');
        for (int i = 0; i < lines.Length; i++) json.WriteStringValue(i < lines.Length - 1 ? lines[i] + "\n" : lines[i]);
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
