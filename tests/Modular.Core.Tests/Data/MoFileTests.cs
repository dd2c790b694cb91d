using System.Text;
using Modular.Data;
using Modular.Tensors;

namespace Modular.Tests.Data;

public class MoFileTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Parses_plain_plural_and_context_messages_in_either_byte_order(bool bigEndian)
    {
        var mo = MoFile.Parse(MoBytes.Sample(bigEndian), "sample.mo");

        Assert.Equal(3, mo.Messages.Count);
        var plural = mo.Messages[0];
        Assert.Equal(("%d file", "%d files"), (plural.Id, plural.PluralId));
        Assert.Equal(new[] { "%d Datei", "%d Dateien" }, plural.Translations);
        Assert.Null(plural.Context);
        Assert.Equal(new GettextMessage(null, "Open", null, mo.Messages[1].Translations), mo.Messages[1]);
        Assert.Equal("Öffnen", Assert.Single(mo.Messages[1].Translations));
        Assert.Equal(("menu", "Quit", "Beenden"), (mo.Messages[2].Context, mo.Messages[2].Id, mo.Messages[2].Translations[0]));
    }

    [Fact]
    public void Header_entry_is_exposed_as_header_and_not_as_a_message()
    {
        var mo = MoFile.Parse(MoBytes.Sample(), "sample.mo");
        Assert.Equal(MoBytes.Utf8Header, mo.Header);
        Assert.DoesNotContain(mo.Messages, m => m.Id.Length == 0);
    }

    [Fact]
    public void Latin1_charset_in_the_header_decodes_the_strings()
    {
        var bytes = MoBytes.Build([("", "Content-Type: text/plain; charset=ISO-8859-1\n"), ("Open", "Öffnen")], encoding: Encoding.Latin1);
        Assert.Equal(0xD6, bytes[^7]); // "Ö" is one Latin-1 byte, not UTF-8's two
        Assert.Equal("Öffnen", MoFile.Parse(bytes, "latin1.mo").Messages[0].Translations[0]);
    }

    [Fact]
    public void Reads_a_file_from_disk_and_names_it_in_errors()
    {
        string path = Path.Combine(Path.GetTempPath(), $"modular-mo-{Guid.NewGuid():N}.mo");
        File.WriteAllBytes(path, MoBytes.Sample());
        try
        {
            Assert.Equal("Open", MoFile.Read(path).Messages[1].Id);
            File.WriteAllBytes(path, [1, 2, 3]);
            var error = Assert.Throws<DataFileException>(() => MoFile.Read(path));
            Assert.Equal(path, error.FilePath);
            Assert.Contains("3 bytes", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Missing_file_is_a_data_file_error()
    {
        var error = Assert.Throws<DataFileException>(() => MoFile.Read("/nonexistent/de.mo"));
        Assert.Contains("/nonexistent/de.mo", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_magic_is_reported_at_offset_zero()
    {
        var bytes = MoBytes.Sample();
        bytes[0] ^= 0xFF;
        var error = Assert.Throws<DataFileException>(() => MoFile.Parse(bytes, "x.mo"));
        Assert.Contains("magic number 0x950412de", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_major_revision_is_rejected()
    {
        var bytes = MoBytes.Build([("a", "b")], revision: 0x00020000);
        var error = Assert.Throws<DataFileException>(() => MoFile.Parse(bytes, "x.mo"));
        Assert.Contains("major revision 2", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x00000001u)] // msgfmt with system-dependent strings
    [InlineData(0x00010001u)] // ... using the glibc "I" flag (e.g. GTK's Spanish catalogue in Debian 12)
    public void Revisions_with_system_dependent_strings_are_accepted(uint revision)
    {
        var bytes = MoBytes.Build([("a", "b")], revision: revision);
        Assert.Equal("b", MoFile.Parse(bytes, "x.mo").Messages[0].Translations[0]);
    }

    [Fact]
    public void Huge_string_count_is_rejected_before_anything_is_allocated()
    {
        var bytes = MoBytes.Sample();
        MoBytes.Write(bytes, 8, uint.MaxValue);
        var error = Assert.Throws<DataFileException>(() => MoFile.Parse(bytes, "x.mo"));
        Assert.Contains("at offset 12", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{uint.MaxValue} entries", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void String_running_past_the_end_names_the_table_row()
    {
        var bytes = MoBytes.Sample();
        MoBytes.Write(bytes, 28 + 8 * 2, 1_000_000); // length of original string #2
        var error = Assert.Throws<DataFileException>(() => MoFile.Parse(bytes, "x.mo"));
        Assert.Contains("original string #2 claims 1000000 bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("at offset 44", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Offset_near_uint_max_does_not_overflow_the_bounds_check()
    {
        var bytes = MoBytes.Sample();
        MoBytes.Write(bytes, 28 + 4, uint.MaxValue); // offset of original string #0
        Assert.Throws<DataFileException>(() => MoFile.Parse(bytes, "x.mo"));
    }

    [Fact]
    public void Missing_nul_terminator_is_reported()
    {
        var bytes = MoBytes.Sample();
        int end = bytes.Length - 1; // the last translation's NUL
        bytes[end] = (byte)'!';
        var error = Assert.Throws<DataFileException>(() => MoFile.Parse(bytes, "x.mo"));
        Assert.Contains("not NUL-terminated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_in_a_message_is_reported_with_its_offset()
    {
        var bytes = MoBytes.Sample();
        int at = IndexOf(bytes, "Beenden"u8);
        bytes[at] = 0xFF;
        var error = Assert.Throws<DataFileException>(() => MoFile.Parse(bytes, "x.mo"));
        Assert.Contains($"offset {at}", error.Message, StringComparison.Ordinal);
        Assert.Contains("utf-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Legacy_code_page_charsets_decode_without_a_global_provider()
    {
        var eucJp = CodePagesEncodingProvider.Instance.GetEncoding("EUC-JP")!;
        string header = "Last-Translator: 山田 太郎\nContent-Type: text/plain; charset=EUC-JP\n";
        var mo = MoFile.Parse(MoBytes.Build([("", header), ("Open", "開く")], encoding: eucJp), "ja.mo");
        Assert.Equal("開く", mo.Messages[0].Translations[0]);
        Assert.Equal(header, mo.Header); // the header is decoded with its own charset too
    }

    [Fact]
    public void Unknown_charset_is_reported()
    {
        // "CHARSET" is the placeholder of an unfilled .po template header.
        var bytes = MoBytes.Build([("", "Content-Type: text/plain; charset=CHARSET\n"), ("a", "b")]);
        var error = Assert.Throws<DataFileException>(() => MoFile.Parse(bytes, "x.mo"));
        Assert.Contains("charset 'CHARSET'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fuzzed_files_either_parse_or_fail_with_a_data_file_error()
    {
        var original = MoBytes.Sample();
        var rng = new Rng(20240607);
        int parsed = 0, rejected = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            var bytes = Mutate(original, rng);
            try
            {
                var mo = MoFile.Parse(bytes, "fuzz.mo");
                Assert.All(mo.Messages, m => Assert.NotNull(m.Translations));
                parsed++;
            }
            catch (DataFileException e)
            {
                Assert.Equal("fuzz.mo", e.FilePath);
                rejected++;
            }
        }
        // Both outcomes must occur, or the mutations are too mild (or too harsh) to exercise the checks.
        Assert.InRange(parsed, 100, 2900);
        Assert.InRange(rejected, 100, 2900);
    }

    private static byte[] Mutate(byte[] original, Rng rng)
    {
        var bytes = (byte[])original.Clone();
        switch (rng.NextInt(4))
        {
            case 0: // flip random bytes anywhere
                for (int k = 1 + rng.NextInt(4); k > 0; k--) bytes[rng.NextInt(bytes.Length)] = (byte)rng.NextInt(256);
                break;
            case 1: // truncate
                Array.Resize(ref bytes, rng.NextInt(bytes.Length));
                break;
            case 2: // overwrite one header or table word with an extreme or random value
                int word = 4 * rng.NextInt(7 + 2 * 2 * 4);
                uint[] extremes = [0, 1, 0x7FFFFFFF, 0x80000000, uint.MaxValue, (uint)bytes.Length, (uint)rng.NextInt(1 << 16)];
                MoBytes.Write(bytes, word, extremes[rng.NextInt(extremes.Length)]);
                break;
            default: // a random byte string with a valid magic number
                rng.Shuffle(bytes);
                MoBytes.Write(bytes, 0, 0x950412de);
                break;
        }
        return bytes;
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);
}
