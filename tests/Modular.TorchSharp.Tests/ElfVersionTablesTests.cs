using System.Buffers.Binary;
using Modular.TorchSharp.Native;

namespace Modular.TorchSharp.Tests;

public class ElfVersionTablesTests
{
    private static byte[] Library() => SyntheticElf.Requiring(
        ("libc.so.6", ["GLIBC_2.2.5"]),
        ("libstdc++.so.6", ["GLIBCXX_3.4.30", "GLIBCXX_3.4.32", "CXXABI_1.3"]));

    [Fact]
    public void Reads_every_requirement_with_its_dependency_in_file_order()
    {
        var needs = ElfVersionTables.Parse(Library(), "lib.so").Needs;
        Assert.Equal(
            ["libc.so.6:GLIBC_2.2.5", "libstdc++.so.6:GLIBCXX_3.4.30", "libstdc++.so.6:GLIBCXX_3.4.32", "libstdc++.so.6:CXXABI_1.3"],
            needs.Select(n => $"{n.File}:{n.Version}"));
        Assert.All(needs, n => Assert.False(n.IsWeak));
        Assert.Equal(needs.Count, needs.Select(n => n.FlagsOffset).Distinct().Count());
    }

    [Fact]
    public void A_zero_entry_count_in_sh_info_falls_back_to_the_chain()
    {
        var image = Library();
        var expected = ElfVersionTables.Parse(image, "lib.so").Needs;
        // Section 2 is the Verneed section; its sh_info sits 44 bytes into its header.
        long shoff = BitConverter.ToInt64(image, 0x28);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan((int)(shoff + 2 * 64 + 44)), 0);
        Assert.Equal(expected, ElfVersionTables.Parse(image, "lib.so").Needs);
    }

    [Fact]
    public void Reads_version_definitions()
    {
        var tables = ElfVersionTables.Parse(SyntheticElf.Defining("libstdc++.so.6", "GLIBCXX_3.4", "GLIBCXX_3.4.30"), "libstdc++.so.6");
        Assert.Equal(["libstdc++.so.6", "GLIBCXX_3.4", "GLIBCXX_3.4.30"], tables.Definitions);
        Assert.Empty(tables.Needs);
    }

    [Fact]
    public void Reads_this_hosts_libstdcxx_and_the_real_TorchSharp_library()
    {
        var host = HostLibStdCxx.Find();
        Assert.NotNull(host);
        Assert.Contains("GLIBCXX_3.4", host.Versions);
        Assert.Contains("GLIBCXX_3.4.29", host.Versions); // GCC 11; Debian 12 ships GCC 12's 3.4.30
        var needs = ElfVersionTables.Read(Packages.PristineLibTorchSharp()).Needs;
        Assert.Single(needs, n => n.File == HostLibStdCxx.SoName && n.Version == GlibcxxAnchorFix.AnchorVersion);
        Assert.Contains(needs, n => n.File == "libc.so.6");
    }

    [Fact]
    public void A_truncated_file_is_a_typed_error_naming_the_file()
    {
        var image = Library();
        var e = Assert.Throws<ElfFormatException>(() => ElfVersionTables.Parse(image[..(image.Length - 10)], "cut.so"));
        Assert.Contains("'cut.so'", e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        Assert.Throws<ElfFormatException>(() => ElfVersionTables.Parse(image[..40], "cut.so"));
    }

    [Fact]
    public void Files_that_are_not_ELF64_little_endian_are_refused()
    {
        Assert.Contains("magic", Assert.Throws<ElfFormatException>(() => ElfVersionTables.Parse(new byte[100], "zero.so")).Message, StringComparison.Ordinal);
        var elf32 = Library();
        elf32[4] = 1;
        Assert.Contains("class 1", Assert.Throws<ElfFormatException>(() => ElfVersionTables.Parse(elf32, "x.so")).Message, StringComparison.Ordinal);
        var bigEndian = Library();
        bigEndian[5] = 2;
        Assert.Contains("little-endian", Assert.Throws<ElfFormatException>(() => ElfVersionTables.Parse(bigEndian, "x.so")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Chains_and_names_that_leave_their_sections_are_refused()
    {
        var image = Library();
        var tables = ElfVersionTables.Parse(image, "lib.so");
        // vna_name of the first entry sits 4 bytes after its flags: point it far past the string table.
        var badName = (byte[])image.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(badName.AsSpan((int)tables.Needs[0].FlagsOffset + 4), 100_000);
        Assert.Contains("past the end", Assert.Throws<ElfFormatException>(() => ElfVersionTables.Parse(badName, "lib.so")).Message, StringComparison.Ordinal);
        // vna_next of the last libstdc++ entry: point it beyond the section.
        var badChain = (byte[])image.Clone();
        var first = tables.Needs[1];
        BinaryPrimitives.WriteUInt32LittleEndian(badChain.AsSpan((int)first.FlagsOffset + 8), 4096);
        Assert.Contains("outside its section", Assert.Throws<ElfFormatException>(() => ElfVersionTables.Parse(badChain, "lib.so")).Message, StringComparison.Ordinal);
    }
}
