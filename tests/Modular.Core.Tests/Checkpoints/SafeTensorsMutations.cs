using System.Buffers.Binary;

namespace Modular.Tests.Checkpoints;

/// <summary>Seeded byte-level damage to a valid safetensors file, for the fuzz tests of its reader and of the loaders built on it.</summary>
internal static class SafeTensorsMutations
{
    /// <summary>
    /// Bit flips, a header byte or digit replaced, truncation, a false header length, bytes cut out — and, with
    /// <paramref name="nonFiniteData"/>, a data word set to NaN or infinity (which the loaders, not the reader, refuse).
    /// </summary>
    public static (byte[] Bytes, string Mutation) Mutate(byte[] seed, Random random, bool nonFiniteData)
    {
        var bytes = (byte[])seed.Clone();
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(seed);
        switch (random.Next(nonFiniteData ? 7 : 6))
        {
            case 0:
                int flips = random.Next(1, 5);
                for (int i = 0; i < flips; i++) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return (bytes, $"{flips} bit flips anywhere");
            case 1:
                int at = random.Next(8, headerEnd);
                bytes[at] = (byte)random.Next(256);
                return (bytes, $"header byte {at} replaced");
            case 2:
                // Digits are where offsets and shapes live; nudging them hits the size and tiling checks.
                var digits = Enumerable.Range(8, headerEnd - 8).Where(i => char.IsAsciiDigit((char)bytes[i])).ToArray();
                int digit = digits[random.Next(digits.Length)];
                bytes[digit] = (byte)('0' + random.Next(10));
                return (bytes, $"header digit {digit} changed");
            case 3:
                int length = random.Next(bytes.Length);
                return (bytes[..length], $"truncated to {length} bytes");
            case 4:
                ulong declared = random.Next(3) switch
                {
                    0 => (ulong)(headerEnd - 8 + random.Next(-16, 17)),
                    1 => (ulong)random.NextInt64(),
                    _ => ulong.MaxValue - (ulong)random.Next(16),
                };
                BinaryPrimitives.WriteUInt64LittleEndian(bytes, declared);
                return (bytes, $"header length set to {declared}");
            case 5 when nonFiniteData:
                if (bytes.Length - headerEnd < 4) return (bytes, "no data to poison");
                int word = headerEnd + random.Next((bytes.Length - headerEnd) / 4) * 4;
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(word), random.Next(2) == 0 ? float.NaN : float.NegativeInfinity);
                return (bytes, $"data word at {word} set to a non-finite value");
            default:
                int cut = random.Next(8, headerEnd);
                int count = random.Next(1, 9);
                return ([.. bytes[..cut], .. bytes[Math.Min(bytes.Length, cut + count)..]], $"{count} bytes removed at {cut}");
        }
    }
}
