namespace Modular.NotebookSync;

/// <summary>
/// The two cells every generated notebook starts its code with: a note on how to run it (where the packages come
/// from, quick mode), and the cell that loads the packages. The .NET Interactive kernel resolves a relative
/// <c>#i "nuget: ..."</c> source from its own temporary project folder, so no relative path works there; the cell
/// makes the path absolute from the kernel's working directory (the notebook's folder in Jupyter and VS Code) and
/// submits <c>#i</c>/<c>#r</c> itself.
/// </summary>
public static class NotebookSetup
{
    /// <summary>The environment variable that points the setup cell at another package folder (tests pack into a fresh one).</summary>
    public const string PackagesVariable = "MODULAR_PACKAGES";

    /// <summary>The markdown note placed before the setup cell; <paramref name="scriptName"/> is the tutorial script's file name.</summary>
    public static string Note(string scriptName) => $"""
        **Running this notebook.** Build the packages once at the repository's root (`dotnet pack src/Modular.Core -c Release && dotnet pack src/Modular.Interactive -c Release && dotnet pack src/Modular.TorchSharp -c Release`,
        which writes `artifacts/packages`), then run the cells from this folder, in Jupyter with the .NET Interactive kernel or in VS Code
        ([docs/notebooks.md](../docs/notebooks.md) has the steps). **Quick mode** (tiny sizes, one seed, a minute or less): start Jupyter or
        VS Code with `MODULAR_QUICK=1` in the environment. `{PackagesVariable}=/some/folder` loads the packages from another folder.
        This notebook is generated from `tutorials/{scriptName}`; edit the script and run `dotnet run scripts/sync-notebooks.cs`.
        """;

    /// <summary>The code cell that loads Modular.Interactive <paramref name="version"/> (and with it Modular.Core and the notebook extension).</summary>
    public static string Code(string version) => $$"""
        // Loads Modular from artifacts/packages (or from $MODULAR_PACKAGES) by an absolute path: the kernel rejects relative ones.
        var modularPackages = System.Environment.GetEnvironmentVariable("{{PackagesVariable}}") is { Length: > 0 } configured
            ? configured
            : System.IO.Path.GetFullPath(System.IO.Path.Combine("..", "artifacts", "packages"));
        if (!System.IO.File.Exists(System.IO.Path.Combine(modularPackages, "Modular.Interactive.{{version}}.nupkg")))
            throw new System.IO.FileNotFoundException($"Modular.Interactive.{{version}}.nupkg is not in {modularPackages}: run `dotnet pack src/Modular.Core -c Release && dotnet pack src/Modular.Interactive -c Release` at the repository's root, open this notebook from its notebooks/ folder, or set {{PackagesVariable}} to the folder holding the packages.");
        await Microsoft.DotNet.Interactive.Kernel.Root.SendAsync(new Microsoft.DotNet.Interactive.Commands.SubmitCode(
            $"#i \"nuget: {modularPackages}\"\n#r \"nuget: Modular.Interactive, {{version}}\""));
        """;
}
