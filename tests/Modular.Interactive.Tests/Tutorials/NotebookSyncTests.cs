using System.Text.Json;
using Modular.NotebookSync;

namespace Modular.Interactive.Tests.Tutorials;

/// <summary>The notebooks are generated from the tutorial scripts; these tests keep the two in step and the notebooks valid.</summary>
public class NotebookSyncTests
{
    public static TheoryData<string> Scripts => new(Directory.GetFiles(Path.Combine(Repository.Root, "tutorials"), "*.cs").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Each_notebook_is_exactly_what_its_script_generates(string name)
    {
        var script = File.ReadAllText(Path.Combine(Repository.Root, "tutorials", name + ".cs"));
        var notebook = Path.Combine(Repository.Root, "notebooks", name + ".ipynb");
        Assert.True(File.Exists(notebook), $"notebooks/{name}.ipynb is missing; run `dotnet run scripts/sync-notebooks.cs`.");
        Assert.True(ScriptNotebook.ToNotebook(script, fileName: name + ".cs") == File.ReadAllText(notebook),
            $"notebooks/{name}.ipynb differs from tutorials/{name}.cs; run `dotnet run scripts/sync-notebooks.cs` and commit both.");
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Each_notebook_is_nbformat_4_for_the_dotnet_interactive_csharp_kernel_says_how_to_run_it_and_loads_the_local_packages(string name)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "notebooks", name + ".ipynb")));
        var root = json.RootElement;
        Assert.Equal(4, root.GetProperty("nbformat").GetInt32());
        Assert.Equal(".net-csharp", root.GetProperty("metadata").GetProperty("kernelspec").GetProperty("name").GetString());
        var cells = root.GetProperty("cells").EnumerateArray().ToList();
        Assert.All(cells, c => Assert.Contains(c.GetProperty("cell_type").GetString(), new[] { "markdown", "code" }));
        var firstCode = cells.First(c => c.GetProperty("cell_type").GetString() == "code");
        var source = string.Concat(firstCode.GetProperty("source").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(NotebookSetup.Code("0.1.0"), source);
        Assert.Contains("MODULAR_QUICK=1", string.Concat(cells[cells.IndexOf(firstCode) - 1].GetProperty("source").EnumerateArray().Select(l => l.GetString())), StringComparison.Ordinal);
        Assert.All(cells.Where(c => c.GetProperty("cell_type").GetString() == "code"), c => Assert.Empty(c.GetProperty("outputs").EnumerateArray()));
    }
}
