using System.Buffers.Binary;
using System.Text;

namespace Modular.TorchSharp.Tests;

/// <summary>Builds small ELF64 little-endian images with a string table and a Verneed or Verdef section, the way a linker lays them out.</summary>
internal static class SyntheticElf
{
    private const int HeaderSize = 64;

    /// <summary>An image that requires <paramref name="needs"/>: for each dependency, its version names.</summary>
    public static byte[] Requiring(params (string File, string[] Versions)[] needs)
    {
        var strings = new StringTable();
        var section = new List<byte>();
        for (int i = 0; i < needs.Length; i++)
        {
            var (file, versions) = needs[i];
            int size = 16 + 16 * versions.Length;
            section.AddRange(Pack(w =>
            {
                w.U16(1); w.U16((ushort)versions.Length); w.U32(strings.Add(file)); w.U32(16); w.U32(i == needs.Length - 1 ? 0u : (uint)size);
            }));
            for (int k = 0; k < versions.Length; k++)
                section.AddRange(Pack(w =>
                {
                    w.U32(Hash(versions[k])); w.U16(0); w.U16((ushort)(2 + k)); w.U32(strings.Add(versions[k])); w.U32(k == versions.Length - 1 ? 0u : 16u);
                }));
        }
        return Image(strings, 0x6ffffffe, [.. section], (uint)needs.Length);
    }

    /// <summary>An image that defines <paramref name="versions"/> (the shape of a libstdc++).</summary>
    public static byte[] Defining(params string[] versions)
    {
        var strings = new StringTable();
        var section = new List<byte>();
        for (int i = 0; i < versions.Length; i++)
        {
            section.AddRange(Pack(w =>
            {
                w.U16(1); w.U16(0); w.U16((ushort)(i + 1)); w.U16(1); w.U32(Hash(versions[i])); w.U32(20); w.U32(i == versions.Length - 1 ? 0u : 28u);
            }));
            section.AddRange(Pack(w => { w.U32(strings.Add(versions[i])); w.U32(0); }));
        }
        return Image(strings, 0x6ffffffd, [.. section], (uint)versions.Length);
    }

    private static byte[] Image(StringTable strings, uint type, byte[] versionSection, uint entries)
    {
        var dynstr = strings.Bytes();
        var shstrtab = Encoding.ASCII.GetBytes("\0.dynstr\0.gnu.version\0.shstrtab\0");
        long dynstrAt = HeaderSize, versionAt = Align(dynstrAt + dynstr.Length), shstrAt = versionAt + versionSection.Length;
        long shoff = Align(shstrAt + shstrtab.Length);
        var image = new byte[shoff + 4 * 64];
        image[0] = 0x7f; image[1] = (byte)'E'; image[2] = (byte)'L'; image[3] = (byte)'F';
        image[4] = 2; image[5] = 1; image[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(0x10), 3); // ET_DYN
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(0x12), 62); // EM_X86_64
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(0x14), 1);
        BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(0x28), (ulong)shoff);
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(0x34), HeaderSize);
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(0x3A), 64);
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(0x3C), 4);
        BinaryPrimitives.WriteUInt16LittleEndian(image.AsSpan(0x3E), 3);
        dynstr.CopyTo(image, dynstrAt);
        versionSection.CopyTo(image, versionAt);
        shstrtab.CopyTo(image, shstrAt);
        Section(image, shoff, 1, 1, 3, dynstrAt, dynstr.Length, 0, 0);
        Section(image, shoff, 2, 9, type, versionAt, versionSection.Length, 1, entries);
        Section(image, shoff, 3, 22, 3, shstrAt, shstrtab.Length, 0, 0);
        return image;
    }

    private static void Section(byte[] image, long shoff, int index, uint name, uint type, long offset, long size, uint link, uint info)
    {
        var h = image.AsSpan((int)(shoff + index * 64));
        BinaryPrimitives.WriteUInt32LittleEndian(h, name);
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], type);
        BinaryPrimitives.WriteUInt64LittleEndian(h[24..], (ulong)offset);
        BinaryPrimitives.WriteUInt64LittleEndian(h[32..], (ulong)size);
        BinaryPrimitives.WriteUInt32LittleEndian(h[40..], link);
        BinaryPrimitives.WriteUInt32LittleEndian(h[44..], info);
        BinaryPrimitives.WriteUInt64LittleEndian(h[48..], type == 3 ? 1ul : 8ul);
    }

    private static long Align(long at) => (at + 7) & ~7L;

    // The System V ELF hash that vna_hash and vd_hash hold.
    private static uint Hash(string name)
    {
        uint h = 0;
        foreach (char c in name)
        {
            h = (h << 4) + c;
            uint g = h & 0xf0000000;
            if (g != 0) h ^= g >> 24;
            h &= ~g;
        }
        return h;
    }

    private static byte[] Pack(Action<Writer> write)
    {
        var writer = new Writer();
        write(writer);
        return [.. writer.Bytes];
    }

    private sealed class Writer
    {
        public List<byte> Bytes { get; } = [];

        public void U16(ushort v) { Bytes.Add((byte)v); Bytes.Add((byte)(v >> 8)); }

        public void U32(uint v) { U16((ushort)v); U16((ushort)(v >> 16)); }
    }

    private sealed class StringTable
    {
        private readonly List<byte> bytes = [0];
        private readonly Dictionary<string, uint> offsets = [];

        public uint Add(string s)
        {
            if (offsets.TryGetValue(s, out var at)) return at;
            at = (uint)bytes.Count;
            bytes.AddRange(Encoding.ASCII.GetBytes(s));
            bytes.Add(0);
            offsets[s] = at;
            return at;
        }

        public byte[] Bytes() => [.. bytes];
    }
}
