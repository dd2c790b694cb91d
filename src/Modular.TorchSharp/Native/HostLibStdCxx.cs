namespace Modular.TorchSharp.Native;

/// <summary>The C++ runtime (<c>libstdc++.so.6</c>) that this process binds to on Linux, and the symbol versions it defines.</summary>
public sealed class HostLibStdCxx
{
    /// <summary>The dependency name under which ELF files require libstdc++'s versions.</summary>
    public const string SoName = "libstdc++.so.6";

    // Where Debian/Ubuntu (multiarch), Fedora/RHEL and others install it, in the loader's usual search order.
    private static readonly string[] StandardDirectories =
        ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"];

    private HostLibStdCxx(string path, IReadOnlySet<string> versions)
    {
        Path = path;
        Versions = versions;
    }

    /// <summary>The file that was read.</summary>
    public string Path { get; }

    /// <summary>The versions it defines, e.g. <c>GLIBCXX_3.4.30</c>.</summary>
    public IReadOnlySet<string> Versions { get; }

    /// <summary>Whether it defines <paramref name="version"/>.</summary>
    public bool Defines(string version) => Versions.Contains(version);

    /// <summary>Reads the version definitions of the libstdc++ at <paramref name="path"/>.</summary>
    public static HostLibStdCxx Read(string path) =>
        new(path, ElfVersionTables.Read(path).Definitions.ToHashSet(StringComparer.Ordinal));

    /// <summary>
    /// The libstdc++ this process uses: the one already mapped into it (the .NET host is C++, so the loader reuses that
    /// copy for every library loaded later), else the first of LD_LIBRARY_PATH and the standard directories; null when
    /// there is none (not Linux, or a host without libstdc++).
    /// </summary>
    public static HostLibStdCxx? Find()
    {
        if (!OperatingSystem.IsLinux()) return null;
        var path = MappedPath() ?? SearchPath();
        return path is null ? null : Read(path);
    }

    private static string? MappedPath()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps)) return null;
        foreach (var line in File.ReadLines(maps))
        {
            int slash = line.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0) continue;
            var file = line[slash..];
            if (System.IO.Path.GetFileName(file).StartsWith(SoName, StringComparison.Ordinal) && File.Exists(file)) return file;
        }
        return null;
    }

    private static string? SearchPath()
    {
        var fromEnvironment = (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        return fromEnvironment.Concat(StandardDirectories).Select(d => System.IO.Path.Combine(d, SoName)).FirstOrDefault(File.Exists);
    }
}
