namespace Modular.Interactive.Tests;

/// <summary>Locations in the source tree and the test run.</summary>
internal static class Repository
{
    /// <summary>The folder holding Modular.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Build configuration of this test run (Debug or Release), read from the output path.</summary>
    public static string Configuration => AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>A folder under the test output for files a person may want to look at (reports, screenshots).</summary>
    public static string Artifacts(string name) => Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts", name)).FullName;

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Modular.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"Modular.sln not found above {AppContext.BaseDirectory}.");
    }
}
