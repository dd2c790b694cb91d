#:project ../tools/Modular.NotebookSync/Modular.NotebookSync.csproj
#:property PublishAot=false
// Regenerates notebooks/<name>.ipynb from each tutorials/<name>.cs, the single source of truth:
//   dotnet run scripts/sync-notebooks.cs
// A test (NotebookSyncTests) fails when a committed notebook differs from what this writes.
using Modular.NotebookSync;

var root = Path.GetFullPath(Path.Combine(AppContext.GetData("EntryPointFileDirectoryPath") as string ?? ".", ".."));
var tutorials = Path.Combine(root, "tutorials");
var notebooks = Path.Combine(root, "notebooks");
Directory.CreateDirectory(notebooks);
foreach (var script in Directory.GetFiles(tutorials, "*.cs").Order(StringComparer.Ordinal))
{
    var name = Path.GetFileNameWithoutExtension(script);
    var target = Path.Combine(notebooks, name + ".ipynb");
    File.WriteAllText(target, ScriptNotebook.ToNotebook(File.ReadAllText(script), fileName: Path.GetFileName(script)));
    Console.WriteLine($"{Path.GetRelativePath(root, script)} -> {Path.GetRelativePath(root, target)}");
}
