using Modular.NotebookSync;

namespace Modular.Interactive.Tests.Tutorials;

public class ScriptNotebookTests
{
    private const string Script = """
        #:project ../src/Modular.Interactive/Modular.Interactive.csproj
        // %% [markdown]
        // # Title
        //
        // Some *prose*.
        // %%
        using Modular;
        var x = 1;
        // %% [script-only]
        var options = TutorialOptions.FromArgs(args);
        // %% [notebook-only]
        // var options = new TutorialOptions();
        // %%
        Console.WriteLine(x);
        """;

    [Fact]
    public void Cells_are_split_at_markers_and_comment_prefixes_are_removed_from_prose_and_notebook_only_code()
    {
        var cells = ScriptNotebook.Parse(Script);
        Assert.Equal([ScriptNotebook.CellKind.Markdown, ScriptNotebook.CellKind.Code, ScriptNotebook.CellKind.ScriptOnly, ScriptNotebook.CellKind.NotebookOnly, ScriptNotebook.CellKind.Code],
            cells.Select(c => c.Kind));
        Assert.Equal("# Title\n\nSome *prose*.", cells[0].Source);
        Assert.Equal("using Modular;\nvar x = 1;", cells[1].Source);
        Assert.Equal("var options = new TutorialOptions();", cells[3].Source);
    }

    [Fact]
    public void The_notebook_drops_script_only_cells_and_loads_the_packages_by_absolute_path_before_the_first_code()
    {
        var notebook = ScriptNotebook.ToNotebook(Script);
        Assert.DoesNotContain("FromArgs", notebook, StringComparison.Ordinal);
        Assert.DoesNotContain("#:project", notebook, StringComparison.Ordinal);
        int setup = notebook.IndexOf("Kernel.Root.SendAsync", StringComparison.Ordinal);
        Assert.True(notebook.IndexOf("# Title", StringComparison.Ordinal) < notebook.IndexOf("MODULAR_QUICK=1", StringComparison.Ordinal));
        Assert.True(notebook.IndexOf("MODULAR_QUICK=1", StringComparison.Ordinal) < setup);
        Assert.True(setup < notebook.IndexOf("using Modular;", StringComparison.Ordinal));
        // The kernel resolves a relative restore source from its temporary project folder: the cell must make it absolute.
        Assert.Contains("Path.GetFullPath", NotebookSetup.Code("0.1.0"), StringComparison.Ordinal);
        Assert.DoesNotContain("#i \\\"nuget: ../", notebook, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_marker_or_an_uncommented_prose_line_is_reported_with_its_line()
    {
        var unknown = Assert.Throws<ConfigurationException>(() => ScriptNotebook.Parse("// %% [python]\nx", "t.cs"));
        Assert.Contains("t.cs, line 1", unknown.Message, StringComparison.Ordinal);
        var prose = Assert.Throws<ConfigurationException>(() => ScriptNotebook.Parse("// %% [markdown]\nnot a comment\n// %%\nx", "t.cs"));
        Assert.Contains("must start with '// '", prose.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TransformerClassifier? model = null;", true)]
    [InlineData("rows.Select(r => (object?)r.Value);", true)]
    [InlineData("var d = new Dictionary<string, (int, Polytropon?)>();", true)]
    [InlineData("var y = x?.Name ?? \"none\";", false)]
    [InlineData("var z = ok ? 1 : 2; // string? in a comment", false)]
    [InlineData("#nullable enable\nstring? s = null;", false)]
    public void Code_cells_with_nullable_annotations_get_a_nullable_context(string source, bool added)
    {
        var cell = ScriptNotebook.WithNullableContext(new ScriptNotebook.Cell(ScriptNotebook.CellKind.Code, source));
        Assert.Equal(added ? "#nullable enable\n" + source : source, cell.Source);
        Assert.Equal("string? s;", ScriptNotebook.WithNullableContext(new ScriptNotebook.Cell(ScriptNotebook.CellKind.Markdown, "string? s;")).Source);
    }
}
