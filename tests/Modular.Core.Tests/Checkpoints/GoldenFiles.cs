namespace Modular.Tests.Checkpoints;

/// <summary>Paths of the golden files in tests/golden, which the test project copies next to the test assembly.</summary>
internal static class GoldenFiles
{
    public static string Path(params string[] parts) => System.IO.Path.Combine([AppContext.BaseDirectory, "golden", .. parts]);
}
