using System.Buffers.Binary;
using System.Text;

namespace Modular.Data;

/// <summary>
/// A compiled gettext catalogue (a <c>.mo</c> file): its header and its messages. Every count, offset and length
/// in the file is checked against the file's size before it is used, so a damaged file fails with a
/// <see cref="DataFileException"/> naming the byte offset, never with an unrelated exception or a huge allocation.
/// </summary>
/// <remarks>
/// Layout (GNU gettext manual, "The Format of GNU MO Files"): a magic number 0x950412de written in the producer's
/// byte order, a revision, the number of strings N, and the offsets of two tables of N (length, offset) pairs:
/// the original strings and their translations. Each string is NUL-terminated. An original string is
/// <c>msgctxt "\x04" msgid</c> (context optional) followed by <c>"\0" msgid_plural</c> for plural messages; its
/// translation holds the plural forms separated by NUL. The entry with an empty msgid is the catalogue header.
/// Revisions 0.0, 0.1 and 1.1 share this layout; the later two add a section of system-dependent strings (messages
/// whose printf formats, such as <c>&lt;PRIu64&gt;</c>, are resolved when a program loads them), which is not read,
/// so those few messages are left out.
/// </remarks>
public sealed class MoFile
{
    private const uint Magic = 0x950412de;
    private const int HeaderSize = 28;
    private const char ContextSeparator = '\u0004';
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private MoFile(string source, string header, IReadOnlyList<GettextMessage> messages)
    {
        Source = source;
        Header = header;
        Messages = messages;
    }

    /// <summary>The file path (or other name) the catalogue was read from; errors name it.</summary>
    public string Source { get; }

    /// <summary>The catalogue header (the translation of the empty msgid): <c>Name: value</c> lines such as <c>Content-Type</c>; empty when absent.</summary>
    public string Header { get; }

    /// <summary>The messages in file order (sorted by source text in files written by msgfmt), without the header entry.</summary>
    public IReadOnlyList<GettextMessage> Messages { get; }

    /// <summary>Reads and parses the .mo file at <paramref name="path"/>.</summary>
    /// <exception cref="DataFileException">The file does not exist or is not a well-formed .mo file.</exception>
    public static MoFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DataFileException($"gettext catalogue '{path}' does not exist.", path);
        }
        return Parse(bytes, path);
    }

    /// <summary>Parses .mo bytes; <paramref name="source"/> names them in error messages.</summary>
    /// <exception cref="DataFileException">The bytes are not a well-formed .mo file.</exception>
    public static MoFile Parse(ReadOnlySpan<byte> bytes, string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var reader = new Reader(bytes, source);
        var entries = reader.ReadEntries();

        int headerIndex = entries.FindIndex(e => e.Original.Length == 0);
        var encoding = headerIndex < 0 ? StrictUtf8 : reader.EncodingDeclaredBy(entries[headerIndex].Translation);
        string header = headerIndex < 0 ? "" : reader.Decode(entries[headerIndex].Translation, encoding);

        var messages = new List<GettextMessage>(entries.Count);
        foreach (var entry in entries)
        {
            if (entry.Original.Length == 0) continue;
            messages.Add(ToMessage(reader.Decode(entry.Original, encoding), reader.Decode(entry.Translation, encoding)));
        }
        return new MoFile(source, header, messages);
    }

    private static GettextMessage ToMessage(string original, string translation)
    {
        string? context = null;
        int separator = original.IndexOf(ContextSeparator, StringComparison.Ordinal);
        if (separator >= 0)
        {
            context = original[..separator];
            original = original[(separator + 1)..];
        }
        int plural = original.IndexOf('\0', StringComparison.Ordinal);
        string id = plural < 0 ? original : original[..plural];
        string? pluralId = plural < 0 ? null : original[(plural + 1)..];
        return new GettextMessage(context, id, pluralId, translation.Split('\0'));
    }

    /// <summary>A string's place in the file: its length (without the NUL) and offset.</summary>
    private readonly record struct StringSlice(int Offset, int Length);

    private readonly record struct Entry(StringSlice Original, StringSlice Translation);

    /// <summary>Reads the tables with every number checked against the file size.</summary>
    private readonly ref struct Reader
    {
        private readonly ReadOnlySpan<byte> bytes;
        private readonly string source;
        private readonly bool bigEndian;

        public Reader(ReadOnlySpan<byte> bytes, string source)
        {
            this.bytes = bytes;
            this.source = source;
            bigEndian = DetectBigEndian(bytes, source);
        }

        public List<Entry> ReadEntries()
        {
            uint revision = ReadUInt32(4);
            if (revision >> 16 > 1)
                throw Malformed(4, $"major revision {revision >> 16} is not supported (GNU gettext writes 0 and 1)");
            uint count = ReadUInt32(8);
            uint originalsTable = CheckTable(ReadUInt32(12), count, "original-strings", 12);
            uint translationsTable = CheckTable(ReadUInt32(16), count, "translations", 16);

            // count is now known to fit in the file (8 bytes per table row), so the list's capacity is bounded by the file size.
            var entries = new List<Entry>((int)count);
            for (uint i = 0; i < count; i++)
                entries.Add(new Entry(ReadSlice(originalsTable + 8 * i, "original string", i), ReadSlice(translationsTable + 8 * i, "translation", i)));
            return entries;
        }

        public Encoding EncodingDeclaredBy(StringSlice headerSlice)
        {
            // Latin-1 maps every byte to one character, so the ASCII charset name is found whatever the header's
            // other fields (a translator's name, say) are encoded in.
            string header = Encoding.Latin1.GetString(bytes.Slice(headerSlice.Offset, headerSlice.Length));
            const string key = "charset=";
            int start = header.IndexOf(key, StringComparison.OrdinalIgnoreCase);
            if (start < 0) return StrictUtf8;
            start += key.Length;
            int end = start;
            while (end < header.Length && !char.IsWhiteSpace(header[end]) && header[end] != ';') end++;
            string charset = header[start..end];
            // Built-in encodings first (UTF-8, Latin-1, ...), then the legacy code pages that older catalogues use
            // (EUC-JP, KOI8-R, ...), without registering a process-wide provider.
            try
            {
                return Encoding.GetEncoding(charset, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
            }
            catch (ArgumentException)
            {
                return CodePagesEncodingProvider.Instance.GetEncoding(charset, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback)
                    ?? throw Malformed(headerSlice.Offset, $"the header declares charset '{charset}', which is not a known encoding");
            }
        }

        public string Decode(StringSlice slice, Encoding encoding)
        {
            try
            {
                return encoding.GetString(bytes.Slice(slice.Offset, slice.Length));
            }
            catch (DecoderFallbackException)
            {
                throw Malformed(slice.Offset, $"the {slice.Length}-byte string there is not valid {encoding.WebName}");
            }
        }

        private static bool DetectBigEndian(ReadOnlySpan<byte> bytes, string source)
        {
            if (bytes.Length < HeaderSize)
                throw new DataFileException($"'{source}' is not a gettext .mo file: it has {bytes.Length} bytes, fewer than the {HeaderSize}-byte header.", source);
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes) == Magic) return false;
            if (BinaryPrimitives.ReadUInt32BigEndian(bytes) == Magic) return true;
            throw new DataFileException($"'{source}' is not a gettext .mo file: offset 0 holds 0x{BinaryPrimitives.ReadUInt32LittleEndian(bytes):x8}, not the magic number 0x{Magic:x8} in either byte order.", source);
        }

        private uint ReadUInt32(long offset)
        {
            if (offset + 4 > bytes.Length) throw Malformed(offset, "a 4-byte number runs past the end of the file");
            var word = bytes.Slice((int)offset, 4);
            return bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(word) : BinaryPrimitives.ReadUInt32LittleEndian(word);
        }

        private uint CheckTable(uint offset, uint count, string name, long fieldOffset)
        {
            if (offset + 8L * count > bytes.Length)
                throw Malformed(fieldOffset, $"the {name} table of {count} entries at offset {offset} needs {8L * count} bytes, past the end of the file");
            return offset;
        }

        private StringSlice ReadSlice(long rowOffset, string what, uint index)
        {
            uint length = ReadUInt32(rowOffset);
            uint offset = ReadUInt32(rowOffset + 4);
            // The string plus its NUL terminator must lie inside the file.
            if ((long)offset + length + 1 > bytes.Length)
                throw Malformed(rowOffset, $"{what} #{index} claims {length} bytes at offset {offset}, past the end of the file");
            if (bytes[(int)(offset + length)] != 0)
                throw Malformed(offset + length, $"{what} #{index} is not NUL-terminated");
            return new StringSlice((int)offset, (int)length);
        }

        private DataFileException Malformed(long offset, string problem) =>
            new($"'{source}' cannot be read as a gettext .mo file ({bytes.Length} bytes): at offset {offset}, {problem}. Re-fetch it, or recompile it from its .po file with msgfmt.", source);
    }
}
