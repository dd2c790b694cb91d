namespace Modular.TorchSharp.Native;

/// <summary>
/// Makes TorchSharp's native library load on hosts with libstdc++ older than GCC 13 (Debian 12, Ubuntu 22.04).
/// libLibTorchSharp.so 0.107.0 requires <c>GLIBCXX_3.4.32</c> for one symbol only, <c>std::ios_base_library_init()</c>:
/// a link-time anchor that GCC 13's <c>&lt;iostream&gt;</c> references so that the stream objects get initialised, and
/// that no code calls. Marking that one requirement weak lets the loader accept an older libstdc++; every other
/// requirement stays strict, so a host that lacks more than the anchor still fails to load with the loader's message.
/// </summary>
public static class GlibcxxAnchorFix
{
    /// <summary>The version that only the anchor symbol requires.</summary>
    public const string AnchorVersion = "GLIBCXX_3.4.32";

    /// <summary>
    /// Weakens the anchor requirement in <paramref name="libraryPath"/> when <paramref name="host"/> lacks its version
    /// and lacks nothing else the library requires strictly; otherwise leaves the file alone. Idempotent.
    /// </summary>
    public static GlibcxxFix Apply(string libraryPath, HostLibStdCxx host)
    {
        ArgumentNullException.ThrowIfNull(libraryPath);
        ArgumentNullException.ThrowIfNull(host);
        if (host.Defines(AnchorVersion)) return new(libraryPath, GlibcxxFixStatus.HostHasVersion);
        var needs = ElfVersionTables.Read(libraryPath).Needs.Where(n => n.File == HostLibStdCxx.SoName).ToList();
        var anchor = needs.Where(n => n.Version == AnchorVersion).ToList();
        if (anchor.Count == 0) return new(libraryPath, GlibcxxFixStatus.NotRequired);
        var otherMissing = needs.Where(n => n.Version != AnchorVersion && !n.IsWeak && !host.Defines(n.Version)).Select(n => n.Version).Distinct().ToList();
        if (otherMissing.Count > 0)
            return new(libraryPath, GlibcxxFixStatus.OtherVersionsMissing, $"{host.Path} also lacks {string.Join(", ", otherMissing)}");
        if (anchor.All(n => n.IsWeak)) return new(libraryPath, GlibcxxFixStatus.AlreadyWeak);
        try
        {
            var patch = VersionNeedPatcher.MakeWeak(libraryPath, HostLibStdCxx.SoName, AnchorVersion);
            return new(libraryPath, patch == VersionNeedPatch.MadeWeak ? GlibcxxFixStatus.MadeWeak : GlibcxxFixStatus.AlreadyWeak);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return new(libraryPath, GlibcxxFixStatus.NotWritable, e.Message);
        }
    }
}
