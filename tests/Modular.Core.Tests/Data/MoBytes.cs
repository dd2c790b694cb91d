using System.Buffers.Binary;
using System.Text;

namespace Modular.Tests.Data;

/// <summary>Writes .mo files byte by byte, the way msgfmt lays them out, so the parser is tested against known bytes.</summary>
internal static class MoBytes
{
    public const string Utf8Header = "Project-Id-Version: test 1.0\nContent-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural=(n != 1);\n";

    /// <summary>Builds a catalogue from (original, translation) pairs given in their raw form (context "\x04", plural "\0"), encoded with <paramref name="encoding"/> (UTF-8 by default).</summary>
    public static byte[] Build(IReadOnlyList<(string Original, string Translation)> entries, bool bigEndian = false, uint revision = 0, Encoding? encoding = null)
    {
        encoding ??= Encoding.UTF8;
        const int headerSize = 28;
        int n = entries.Count;
        int originals = headerSize, translations = originals + 8 * n, strings = translations + 8 * n;

        var data = new List<byte>();
        var originalRows = new List<(int Length, int Offset)>();
        var translationRows = new List<(int Length, int Offset)>();
        foreach (var (original, _) in entries) originalRows.Add(Append(data, encoding.GetBytes(original), strings));
        foreach (var (_, translation) in entries) translationRows.Add(Append(data, encoding.GetBytes(translation), strings));

        var file = new byte[strings + data.Count];
        Write(file, 0, 0x950412de, bigEndian);
        Write(file, 4, revision, bigEndian);
        Write(file, 8, (uint)n, bigEndian);
        Write(file, 12, (uint)originals, bigEndian);
        Write(file, 16, (uint)translations, bigEndian);
        Write(file, 20, 0, bigEndian); // no hash table
        Write(file, 24, (uint)(strings + data.Count), bigEndian);
        for (int i = 0; i < n; i++)
        {
            Write(file, originals + 8 * i, (uint)originalRows[i].Length, bigEndian);
            Write(file, originals + 8 * i + 4, (uint)originalRows[i].Offset, bigEndian);
            Write(file, translations + 8 * i, (uint)translationRows[i].Length, bigEndian);
            Write(file, translations + 8 * i + 4, (uint)translationRows[i].Offset, bigEndian);
        }
        data.CopyTo(file, strings);
        return file;
    }

    /// <summary>A small catalogue with a header, a plain message, a plural message and a message with context.</summary>
    public static byte[] Sample(bool bigEndian = false) => Build(
    [
        ("", Utf8Header),
        ("%d file\0%d files", "%d Datei\0%d Dateien"),
        ("Open", "Öffnen"),
        ("menu\u0004Quit", "Beenden"),
    ], bigEndian);

    private static (int Length, int Offset) Append(List<byte> data, byte[] bytes, int stringsStart)
    {
        int offset = stringsStart + data.Count;
        data.AddRange(bytes);
        data.Add(0);
        return (bytes.Length, offset);
    }

    public static void Write(byte[] file, int offset, uint value, bool bigEndian = false)
    {
        if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(offset), value);
        else BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(offset), value);
    }
}
