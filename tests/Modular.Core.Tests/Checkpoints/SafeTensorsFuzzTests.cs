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
            var (bytes, mutation) = SafeTensorsMutations.Mutate(seed, random, nonFiniteData: false);
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
}
