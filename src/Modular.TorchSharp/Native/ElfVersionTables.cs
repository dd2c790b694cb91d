using System.Buffers.Binary;
using System.Text;

namespace Modular.TorchSharp.Native;

/// <summary>
/// The symbol-version tables of an ELF64 little-endian file, read through its section headers: the versions it
/// requires from its dependencies (<c>.gnu.version_r</c>, Verneed/Vernaux chains) and the versions it defines
/// (<c>.gnu.version_d</c>, Verdef/Verdaux chains), with names from the string table each section links to.
/// </summary>
public sealed class ElfVersionTables
{
    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const int HeaderSize = 64;
    private const int SectionHeaderSize = 64;
    private const int VerneedSize = 16;
    private const int VernauxSize = 16;
    private const int VerdefSize = 20;
    private const int VerdauxSize = 8;

    private readonly byte[] bytes;
    private readonly string source;

    private ElfVersionTables(byte[] bytes, string source)
    {
        this.bytes = bytes;
        this.source = source;
        var sections = ReadSections();
        Needs = [.. sections.Where(s => s.Type == ShtGnuVerneed).SelectMany(s => ReadNeeds(s, sections))];
        Definitions = [.. sections.Where(s => s.Type == ShtGnuVerdef).SelectMany(s => ReadDefinitions(s, sections))];
    }

    /// <summary>Every version requirement, in file order.</summary>
    public IReadOnlyList<ElfVersionNeed> Needs { get; }

    /// <summary>Every version name the file defines (for libstdc++: <c>GLIBCXX_3.4</c> … <c>GLIBCXX_3.4.30</c>, <c>CXXABI_1.3</c> …), in file order.</summary>
    public IReadOnlyList<string> Definitions { get; }

    /// <summary>Reads the tables of the file at <paramref name="path"/> (the whole file is read: shared libraries of a few MB).</summary>
    public static ElfVersionTables Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Reads the tables of an ELF image held in memory; <paramref name="source"/> names it in errors.</summary>
    public static ElfVersionTables Parse(byte[] image, string source)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(source);
        return new ElfVersionTables(image, source);
    }

    private readonly record struct Section(int Index, uint Type, long Offset, long Size, uint Link, uint Info);

    private List<Section> ReadSections()
    {
        if (bytes.Length < HeaderSize)
            throw Bad(0, $"is {bytes.Length} bytes long, shorter than an ELF64 header ({HeaderSize} bytes)");
        if (bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
            throw Bad(0, "does not start with the ELF magic number 7f 45 4c 46");
        if (bytes[4] != 2) throw Bad(4, $"has ELF class {bytes[4]}; only 64-bit ELF (class 2) is read");
        if (bytes[5] != 1) throw Bad(5, $"has data encoding {bytes[5]}; only little-endian ELF (encoding 1) is read");
        long shoff = Clamp(U64(0x28));
        int shentsize = U16(0x3A), shnum = U16(0x3C);
        if (shnum == 0) throw Bad(0x3C, "has no section headers (e_shnum is 0), so it has no version tables to read");
        if (shentsize != SectionHeaderSize) throw Bad(0x3A, $"has section headers of {shentsize} bytes; ELF64 uses {SectionHeaderSize}");
        Need(shoff, (long)shnum * SectionHeaderSize, "the section header table");
        var sections = new List<Section>(shnum);
        for (int i = 0; i < shnum; i++)
        {
            long h = shoff + (long)i * SectionHeaderSize;
            sections.Add(new Section(i, U32(h + 4), Clamp(U64(h + 24)), Clamp(U64(h + 32)), U32(h + 40), U32(h + 44)));
        }
        return sections;
    }

    private IEnumerable<ElfVersionNeed> ReadNeeds(Section section, List<Section> sections)
    {
        var strings = LinkedStrings(section, sections, ".gnu.version_r");
        Need(section.Offset, section.Size, ".gnu.version_r");
        long entry = section.Offset;
        // sh_info counts the Verneed entries (a linker that leaves it 0 is bounded by the section's size instead);
        // vn_next = 0 also ends the chain. The bound keeps a corrupt chain that points back on itself from looping forever.
        for (long n = 0, limit = EntryLimit(section, VerneedSize); n < limit; n++)
        {
            NeedInside(section, entry, VerneedSize, ".gnu.version_r Verneed entry");
            int auxCount = U16(entry + 2);
            string file = String(strings, U32(entry + 4), entry + 4);
            long aux = entry + U32(entry + 8);
            for (int k = 0; k < auxCount; k++)
            {
                NeedInside(section, aux, VernauxSize, $".gnu.version_r Vernaux entry of '{file}'");
                yield return new ElfVersionNeed(file, String(strings, U32(aux + 8), aux + 8), U16(aux + 4), aux + 4);
                uint nextAux = U32(aux + 12);
                if (nextAux == 0) break;
                aux += nextAux;
            }
            uint next = U32(entry + 12);
            if (next == 0) break;
            entry += next;
        }
    }

    private IEnumerable<string> ReadDefinitions(Section section, List<Section> sections)
    {
        var strings = LinkedStrings(section, sections, ".gnu.version_d");
        Need(section.Offset, section.Size, ".gnu.version_d");
        long entry = section.Offset;
        for (long n = 0, limit = EntryLimit(section, VerdefSize); n < limit; n++)
        {
            NeedInside(section, entry, VerdefSize, ".gnu.version_d Verdef entry");
            // The first Verdaux names the version itself; later ones name its parents, which are defined elsewhere.
            if (U16(entry + 6) > 0)
            {
                long aux = entry + U32(entry + 12);
                NeedInside(section, aux, VerdauxSize, ".gnu.version_d Verdaux entry");
                yield return String(strings, U32(aux), aux);
            }
            uint next = U32(entry + 16);
            if (next == 0) break;
            entry += next;
        }
    }

    private static long EntryLimit(Section section, int entrySize) => section.Info != 0 ? section.Info : section.Size / entrySize;

    private Section LinkedStrings(Section section, List<Section> sections, string table)
    {
        if (section.Link >= sections.Count)
            throw Bad(section.Offset, $"links its {table} section to string table section {section.Link}, but it has only {sections.Count} sections");
        var strings = sections[(int)section.Link];
        Need(strings.Offset, strings.Size, $"the string table of {table}");
        return strings;
    }

    private string String(Section strings, uint at, long referencedFrom)
    {
        if (at >= strings.Size) throw Bad(referencedFrom, $"names string {at}, past the end of its {strings.Size}-byte string table");
        int start = checked((int)(strings.Offset + at));
        int end = Array.IndexOf(bytes, (byte)0, start, checked((int)(strings.Size - at)));
        if (end < 0) throw Bad(start, "has a string that runs past the end of its string table without a terminating zero");
        return Encoding.ASCII.GetString(bytes, start, end - start);
    }

    private void NeedInside(Section section, long at, int size, string what)
    {
        if (at < section.Offset || at + size > section.Offset + section.Size)
            throw Bad(at, $"has a {what} at byte {at}, outside its section (bytes {section.Offset}..{section.Offset + section.Size})");
    }

    private void Need(long at, long size, string what)
    {
        if (at < 0 || size < 0 || at + size > bytes.Length)
            throw Bad(at, $"is {bytes.Length} bytes long but {what} spans bytes {at}..{at + size}: the file is truncated or not an ELF shared library");
    }

    // Offsets and sizes past any real file are clamped (not wrapped to negative numbers) so that the bounds checks reject them.
    private static long Clamp(ulong value) => value > long.MaxValue / 4 ? long.MaxValue / 4 : (long)value;

    private ushort U16(long at) => BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(checked((int)at), 2));

    private uint U32(long at) => BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(checked((int)at), 4));

    private ulong U64(long at) => BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(checked((int)at), 8));

    private ElfFormatException Bad(long at, string problem) =>
        new($"'{source}' {problem} (at byte {at}). Pass a 64-bit little-endian ELF shared library, e.g. libLibTorchSharp.so from the TorchSharp package, or restore the file if it was damaged.");
}
