using System.Buffers.Binary;
using Modular.Checkpoints;
using Modular.Tensors;
using Xunit.Abstractions;

namespace Modular.Tests.Checkpoints;

/// <summary>
/// Mutates valid files at random (seeded) and checks that the reader either accepts the result and can decode
/// every tensor, or rejects it with <see cref="CheckpointFormatException"/> — never any other exception.
/// </summary>
public class SafeTensorsFuzzTests(ITestOutputHelper output)
{
    private const int Iterations = 4000;

    private static byte[][] Seeds()
    {
        using var scope = TensorScope.Begin();
        var written = new MemoryStream();
        SafeTensorsFile.Write(
            written,
            new Dictionary<string, Tensor>
            {
                ["a.lora_A.weight"] = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3),
                ["a.lora_B.weight"] = Tensor.FromArray([-1f, -2f], 1, 2),
                ["empty"] = Tensor.Zeros(0),
            },
            new Dictionary<string, string> { ["format"] = "pt" });
        return
        [
            written.ToArray(),
            File.ReadAllBytes(GoldenFiles.Path("safetensors", "reference_f32.safetensors")),
            File.ReadAllBytes(GoldenFiles.Path("safetensors", "reference_half.safetensors")),
        ];
    }

    [Fact]
    public void Mutated_files_are_read_or_rejected_with_a_checkpoint_format_error_only()
    {
        var seeds = Seeds();
        var random = new Random(20240611);
        int rejected = 0;
        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            byte[] seed = seeds[iteration % seeds.Length];
            var (bytes, mutation) = Mutate(seed, random);
            try
            {
                using var scope = TensorScope.Begin();
                var file = SafeTensorsFile.Parse(bytes, "fuzzed.safetensors");
                foreach (var info in file.Tensors.Where(t => t.Dtype is SafeTensorsDtype.F32 or SafeTensorsDtype.F16 or SafeTensorsDtype.BF16))
                    Assert.Equal(info.Shape.Elements, file.Get(info.Name, allowNonFinite: true).Count);
            }
            catch (CheckpointFormatException)
            {
                rejected++;
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"Iteration {iteration} ({mutation}) threw {e.GetType().Name} instead of CheckpointFormatException: {e}");
            }
        }
        output.WriteLine($"{Iterations} mutated files: {rejected} rejected, {Iterations - rejected} still valid and fully decoded.");
        // Most mutations must break the file; a reader that accepted everything would not be checking anything.
        Assert.InRange(rejected, Iterations / 2, Iterations);
    }

    private static (byte[] Bytes, string Mutation) Mutate(byte[] seed, Random random)
    {
        var bytes = (byte[])seed.Clone();
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(seed);
        switch (random.Next(6))
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
            default:
                int cut = random.Next(8, headerEnd);
                int count = random.Next(1, 9);
                var spliced = bytes[..cut].Concat(bytes[Math.Min(bytes.Length, cut + count)..]).ToArray();
                return (spliced, $"{count} bytes removed at {cut}");
        }
    }
}
