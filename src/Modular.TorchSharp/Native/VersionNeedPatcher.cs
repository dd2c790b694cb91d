namespace Modular.TorchSharp.Native;

/// <summary>What <see cref="VersionNeedPatcher.MakeWeak"/> found and did.</summary>
public enum VersionNeedPatch
{
    /// <summary>The file does not require that version from that dependency; it was left alone.</summary>
    NotRequired,
    /// <summary>The requirement was already weak; the file was left alone.</summary>
    AlreadyWeak,
    /// <summary>The requirement's <c>VER_FLG_WEAK</c> bit was set and the file replaced.</summary>
    MadeWeak,
}

/// <summary>
/// Marks one symbol-version requirement of an ELF shared library weak (sets <c>VER_FLG_WEAK</c> in the <c>vna_flags</c>
/// of its <c>Elf64_Vernaux</c> entry), so that the dynamic loader loads the library on a host whose dependency lacks
/// that version. Nothing else in the file changes; the file is replaced atomically.
/// </summary>
public static class VersionNeedPatcher
{
    /// <summary>
    /// Makes the requirement of <paramref name="version"/> from <paramref name="dependency"/> in the library at
    /// <paramref name="path"/> weak. Idempotent: a weak or absent requirement leaves the file (and its timestamp) untouched.
    /// The patched bytes go to a temporary file beside it, which then replaces it by rename, so a process that loads
    /// the library meanwhile sees either the old file or the new one, never a half-written one.
    /// </summary>
    public static VersionNeedPatch MakeWeak(string path, string dependency, string version)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(dependency);
        ArgumentNullException.ThrowIfNull(version);
        var image = File.ReadAllBytes(path);
        var targets = ElfVersionTables.Parse(image, path).Needs.Where(n => n.File == dependency && n.Version == version).ToList();
        if (targets.Count == 0) return VersionNeedPatch.NotRequired;
        if (targets.All(n => n.IsWeak)) return VersionNeedPatch.AlreadyWeak;
        foreach (var need in targets)
        {
            ushort flags = (ushort)(need.Flags | ElfVersionNeed.WeakFlag);
            image[need.FlagsOffset] = (byte)flags;
            image[need.FlagsOffset + 1] = (byte)(flags >> 8);
        }
        ReplaceAtomically(path, image);
        return VersionNeedPatch.MadeWeak;
    }

    private static void ReplaceAtomically(string path, byte[] image)
    {
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(image);
                stream.Flush(flushToDisk: true);
            }
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temporary, File.GetUnixFileMode(full));
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
