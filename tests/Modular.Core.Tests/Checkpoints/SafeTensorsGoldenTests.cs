using Modular.Checkpoints;
using Modular.Tensors;

namespace Modular.Tests.Checkpoints;

/// <summary>Files written in the reference layout by tests/golden/make_safetensors_fixture.py.</summary>
public sealed class SafeTensorsGoldenTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    private static readonly string ReferenceF32 = GoldenFiles.Path("safetensors", "reference_f32.safetensors");
    private static readonly string ReferenceHalf = GoldenFiles.Path("safetensors", "reference_half.safetensors");

    [Fact]
    public void Reference_file_lists_its_tensors_in_data_order_with_shapes_and_metadata()
    {
        var file = SafeTensorsFile.Read(ReferenceF32);

        Assert.Equal(
            ["Zeta.bias", "embed.weight", "empty", "h\u00e9ad.weight", "layers.0.attention.query.lora_A.weight", "scalar", "special"],
            file.Names);
        Assert.Equal(TensorShape.Of(3, 4), file.Info("embed.weight").Shape);
        Assert.Equal(TensorShape.Of(0, 3), file.Info("empty").Shape);
        Assert.Equal(0, file.Info("scalar").Shape.Rank);
        Assert.Equal(new Dictionary<string, string>
        {
            ["control"] = "\u0001\u007f",
            ["format"] = "pt",
            ["note"] = "quote \" backslash \\ newline \n tab \t caf\u00e9 \u2615 \U0001d11e",
        }, file.Metadata);
    }

    [Fact]
    public void Reference_file_values_are_read_exactly()
    {
        var file = SafeTensorsFile.Read(ReferenceF32);

        // The generator computes these in double precision and rounds once to float32, as the casts below do.
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (float)(i * 0.1 - 0.35)), file.Get("embed.weight").ToArray());
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (float)Math.Sin(i)), file.Get("layers.0.attention.query.lora_A.weight").ToArray());
        Assert.Equal([0.5f, -1.25f, 3f], file.Get("Zeta.bias").ToArray());
        Assert.Equal(42f, file.Get("scalar").Item());
        Assert.Equal(0, file.Get("empty").Count);
        // NaN and infinities are refused by default (they make every output NaN); the opt-out reads them as stored.
        Assert.Throws<NonFiniteValueException>(() => file.Get("special"));
        var special = file.Get("special", allowNonFinite: true).ToArray();
        Assert.True(float.IsNegative(special[0]) && special[0] == 0);
        Assert.Equal([float.PositiveInfinity, float.NegativeInfinity], special[1..3]);
        Assert.True(float.IsNaN(special[3]));
        Assert.Equal([float.Epsilon, float.MaxValue, 1f / 3f], special[4..]);
    }

    [Fact]
    public void Rewriting_the_reference_file_reproduces_it_byte_for_byte()
    {
        var file = SafeTensorsFile.Read(ReferenceF32);
        string rewritten = directory.File("rewritten.safetensors");

        SafeTensorsFile.Write(rewritten, file.Names.Select(n => KeyValuePair.Create(n, file.Get(n, allowNonFinite: true))), file.Metadata);

        Assert.Equal(File.ReadAllBytes(ReferenceF32), File.ReadAllBytes(rewritten));
    }

    [Fact]
    public void Half_precision_tensors_widen_to_float32_exactly()
    {
        var file = SafeTensorsFile.Read(ReferenceHalf);

        Assert.Equal(["f32", "bf16", "f16"], file.Names);
        Assert.Equal([SafeTensorsDtype.F32, SafeTensorsDtype.BF16, SafeTensorsDtype.F16], file.Tensors.Select(t => t.Dtype));
        Assert.Empty(file.Metadata);
        Assert.Equal([1f, -2f], file.Get("f32").ToArray());
        Assert.Equal([1f, -3.5f, MathF.Pow(2, 100), float.PositiveInfinity], file.Get("bf16", allowNonFinite: true).ToArray());
        using var f16 = file.Get("f16");
        Assert.Equal(TensorShape.Of(2, 3), f16.Shape);
        Assert.Equal([1.5f, -2.25f, 65504f, MathF.Pow(2, -24), -0f, MathF.Pow(2, -14)], f16.ToArray());
        Assert.True(float.IsNegative(f16[1, 1]));
    }
}
