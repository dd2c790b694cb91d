namespace Modular.Tests.Data;

/// <summary>A fresh folder under the system temp path, deleted with everything in it on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"modular-data-{Guid.NewGuid():N}");

    /// <summary>Copies every file of <paramref name="source"/> into this folder and returns its path.</summary>
    public string CopyFrom(string source)
    {
        foreach (var file in Directory.GetFiles(source))
            File.Copy(file, System.IO.Path.Combine(Path, System.IO.Path.GetFileName(file)));
        return Path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
