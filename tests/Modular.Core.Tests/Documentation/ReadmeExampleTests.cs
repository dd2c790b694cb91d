using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Modular.Tests.Documentation;

/// <summary>
/// The README's "A first model" example compiled and run exactly as written: its code block becomes the Program.cs of a
/// fresh console project that references Modular.Core (as a user's would), and its output holds the figures it quotes.
/// </summary>
public partial class ReadmeExampleTests
{
    [GeneratedRegex(@"## A first model\n.*?```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex TenLinesBlock();

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "README.md")) && File.Exists(Path.Combine(directory.FullName, "Modular.sln"))) return directory.FullName;
        throw new InvalidOperationException($"No repository root (README.md beside Modular.sln) above {AppContext.BaseDirectory}.");
    }

    [Fact]
    public async Task The_ten_line_example_compiles_and_runs_as_written_and_prints_the_parameter_count_it_quotes()
    {
        string root = RepositoryRoot();
        var match = TenLinesBlock().Match(File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n"));
        Assert.True(match.Success, "README.md has no C# block under '## A first model'.");
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var project = Directory.CreateTempSubdirectory("modular-readme-");
        try
        {
            File.WriteAllText(Path.Combine(project.FullName, "Program.cs"), match.Groups["code"].Value);
            File.WriteAllText(Path.Combine(project.FullName, "TenLines.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                  </PropertyGroup>
                  <ItemGroup>
                    <ProjectReference Include="{Path.Combine(root, "src", "Modular.Core", "Modular.Core.csproj")}" />
                  </ItemGroup>
                </Project>
                """);
            // The library is already built by the test run; building it again here could race a parallel build of it.
            var start = new ProcessStartInfo("dotnet", ["run", "--project", project.FullName, "-c", configuration, "-p:BuildProjectReferences=false"])
            {
                WorkingDirectory = project.FullName,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            using var process = Process.Start(start)!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            string output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);

            Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}\n{output}\n{await error}");
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Contains(lines, l => l.EndsWith("33,282 of 3,464,706 parameters train (0.96%)", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("loss ", StringComparison.Ordinal) && l.Contains("accuracy ", StringComparison.Ordinal));
        }
        finally
        {
            project.Delete(recursive: true);
        }
    }
}
