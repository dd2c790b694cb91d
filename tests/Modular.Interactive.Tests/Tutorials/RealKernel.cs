using System.Diagnostics;
using System.Text.Json;

namespace Modular.Interactive.Tests.Tutorials;

/// <summary>
/// The real .NET Interactive kernel (the dotnet-interactive tool) under Debian's Jupyter, set up for one test run:
/// the packages packed into a fresh folder, a kernelspec that listens on loopback only (<c>--http-local-only</c>) in
/// a private JUPYTER_PATH, and a fresh HOME for the kernel, so that neither its restore cache
/// (<c>~/.packagemanagement/nuget/Cache</c>) nor NuGet's package folder can serve an older build of the same version.
/// <c>./scripts/test.sh</c> installs Jupyter and the tool.
/// </summary>
public sealed class RealKernel : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("modular-kernel-").FullName;

    /// <summary>Packs the packages and writes the kernelspec; fails with what to install when Jupyter or the tool is missing.</summary>
    public RealKernel()
    {
        Tool = new[] { Environment.GetEnvironmentVariable("PATH") ?? "" }
            .SelectMany(path => path.Split(Path.PathSeparator))
            .Append(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools"))
            .Select(folder => Path.Combine(folder, "dotnet-interactive"))
            .FirstOrDefault(File.Exists) ?? "";
        Packages = Directory.CreateDirectory(Path.Combine(root, "packages")).FullName;
        Home = Directory.CreateDirectory(Path.Combine(root, "home")).FullName;
        if (Tool.Length == 0 || !File.Exists(Python)) return;
        foreach (string project in new[] { "Modular.Core", "Modular.Interactive", "Modular.TorchSharp" })
        {
            var (exitCode, log) = Run("dotnet", ["pack", Path.Combine(Repository.Root, "src", project, project + ".csproj"), "-c", Repository.Configuration, "--no-build", "-o", Packages, "-nologo"], Repository.Root, TimeSpan.FromMinutes(3));
            if (exitCode != 0) throw new InvalidOperationException($"dotnet pack {project} failed:\n{log}");
        }
        string spec = Directory.CreateDirectory(Path.Combine(root, "jupyter", "kernels", ".net-csharp")).FullName;
        File.WriteAllText(Path.Combine(spec, "kernel.json"), JsonSerializer.Serialize(new
        {
            argv = new[] { Tool, "jupyter", "--default-kernel", "csharp", "{connection_file}", "--http-local-only", "--http-port-range", "2048-3000" },
            display_name = ".NET (C#)",
            language = "C#",
        }));
    }

    /// <summary>Debian's Python, which has nbconvert (the first python3 on PATH may lack it).</summary>
    public static string Python => "/usr/bin/python3";

    /// <summary>The dotnet-interactive tool, or empty when it is not installed.</summary>
    public string Tool { get; }

    /// <summary>The fresh folder the packages were packed into.</summary>
    public string Packages { get; }

    /// <summary>The kernel's fresh home folder.</summary>
    public string Home { get; }

    /// <summary>Why the real kernel cannot run here, or null when it can.</summary>
    public string? Missing =>
        !File.Exists(Python) || Run(Python, ["-c", "import nbconvert, nbclient, nbformat, jupyter_client"], root, TimeSpan.FromMinutes(1)).ExitCode != 0
            ? "Debian's Jupyter is not installed (apt-get install jupyter-nbconvert python3-nbclient python3-nbformat jupyter-client python3-ipykernel); ./scripts/test.sh installs it."
            : Tool.Length == 0 ? "the dotnet-interactive tool is not installed (dotnet tool install -g Microsoft.dotnet-interactive --version 1.0.712001); ./scripts/test.sh installs it."
            : null;

    /// <summary>
    /// Executes a copy of <paramref name="notebook"/> in quick mode with <c>jupyter nbconvert --execute</c> and returns
    /// the executed notebook's JSON; nbconvert fails (and so does this) on the first cell that raises an error.
    /// </summary>
    public (int ExitCode, string Log, JsonDocument? Executed) Execute(string notebook, TimeSpan timeout)
    {
        string folder = Directory.CreateDirectory(Path.Combine(root, "run-" + Path.GetFileNameWithoutExtension(notebook))).FullName;
        string copy = Path.Combine(folder, Path.GetFileName(notebook));
        File.Copy(notebook, copy);
        string executed = Path.Combine(folder, "executed.ipynb");
        var (exitCode, log) = Run(Python,
            ["-m", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=600", "--ExecutePreprocessor.startup_timeout=300", "--output", executed, copy],
            folder, timeout, new Dictionary<string, string>
            {
                ["HOME"] = Home,
                ["JUPYTER_PATH"] = Path.Combine(root, "jupyter"),
                ["JUPYTER_RUNTIME_DIR"] = Path.Combine(root, "runtime"),
                ["MODULAR_QUICK"] = "1",
                ["MODULAR_PACKAGES"] = Packages,
                // the copy is outside the repository: point the tutorials at the shipped data
                ["MODULAR_DATA"] = Path.Combine(Repository.Root, "data"),
                ["DOTNET_NOLOGO"] = "1",
                ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
                ["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1",
            });
        return (exitCode, log, File.Exists(executed) ? JsonDocument.Parse(File.ReadAllText(executed)) : null);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // a kernel that has just exited may still hold a file; the temp folder is cleaned by the system
        }
    }

    private static (int ExitCode, string Log) Run(string file, string[] arguments, string folder, TimeSpan timeout, Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in arguments) start.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? []) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after {timeout}\n{stdout.Result}{stderr.Result}");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
