namespace Modular.TorchSharp.Native;

/// <summary>
/// One symbol version that an ELF file requires from one of its dependencies: an <c>Elf64_Vernaux</c> entry of its
/// <c>.gnu.version_r</c> section, e.g. <c>GLIBCXX_3.4.32</c> from <c>libstdc++.so.6</c>.
/// </summary>
/// <param name="File">The dependency that must define the version (the Verneed entry's <c>vn_file</c>).</param>
/// <param name="Version">The version name (<c>vna_name</c>).</param>
/// <param name="Flags">The entry's <c>vna_flags</c>; bit <see cref="WeakFlag"/> makes a missing version a warning instead of a load failure.</param>
/// <param name="FlagsOffset">Where the two bytes of <c>vna_flags</c> sit in the file.</param>
public sealed record ElfVersionNeed(string File, string Version, ushort Flags, long FlagsOffset)
{
    /// <summary><c>VER_FLG_WEAK</c>: the dynamic loader only warns when the dependency lacks this version.</summary>
    public const ushort WeakFlag = 0x2;

    /// <summary>Whether the requirement is weak (<see cref="WeakFlag"/> set).</summary>
    public bool IsWeak => (Flags & WeakFlag) != 0;
}
