namespace Modular.Data;

/// <summary>
/// Where the data samples live: the shipped ones in the repository's <c>data/</c> folder, and the full-size ones that
/// <see cref="FetchCommand"/> derives into <c>data-cache/full/</c>. Loaders default to the shipped samples.
/// </summary>
public static class DataDirectory
{
    /// <summary>The command, run from the repository root, that fetches the sources and regenerates every sample.</summary>
    public const string FetchCommand = "scripts/fetch-data.sh";

    /// <summary>An environment variable that, when set, names the shipped-samples folder directly (for installs outside a clone).</summary>
    public const string EnvironmentVariable = "MODULAR_DATA";

    private const string RepositoryMarker = "Modular.sln";

    /// <summary>The shipped samples: <c>$MODULAR_DATA</c> if set, else <c>data/</c> in the nearest ancestor of the current or the application directory that holds <c>Modular.sln</c>.</summary>
    /// <exception cref="DataFileException">Neither is found.</exception>
    public static string Shipped => Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured
        ? configured
        : Path.Combine(RepositoryRoot(), "data");

    /// <summary>The full-size samples written by <c>scripts/fetch-data.sh --full</c>: <c>data-cache/full/</c> at the repository root.</summary>
    /// <exception cref="DataFileException">No repository root is found.</exception>
    public static string FullCache => Path.Combine(RepositoryRoot(), "data-cache", "full");

    /// <summary>What to do about a missing or damaged sample file, for error messages.</summary>
    internal const string Remedy = $"Restore the shipped samples (git checkout -- data) or regenerate them with `{FetchCommand}` from the repository root; add --full to write full-size samples to data-cache/full.";

    /// <summary>The path of <paramref name="fileName"/> in <paramref name="directory"/>, which must exist.</summary>
    /// <exception cref="DataFileException">The file is missing; the message names it and the fetch command.</exception>
    internal static string RequireFile(string directory, string fileName, string dataset)
    {
        string path = Path.Combine(directory, fileName);
        if (!File.Exists(path))
            throw new DataFileException($"The {dataset} sample file '{Path.GetFullPath(path)}' is missing. {Remedy}", path);
        return path;
    }

    private static string RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, RepositoryMarker)) && Directory.Exists(Path.Combine(dir.FullName, "data")))
                    return dir.FullName;
        }
        throw new DataFileException(
            $"Modular's data folder was not found: no ancestor of '{Directory.GetCurrentDirectory()}' or '{AppContext.BaseDirectory}' holds {RepositoryMarker} beside a data/ folder. " +
            $"Run from a clone of the repository, set {EnvironmentVariable} to the samples folder, or pass the folder to the loader.", "data");
    }
}
