using System.Text.Json;
using Modular.NN;
using Modular.Tensors;

namespace Modular.TorchSharp.Tests;

public class StateLoadingTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "golden", "torch", name);

    // The model of tests/golden/make_torch_state_fixture.py: nn.Sequential(Linear(6, 16), GELU(), LayerNorm(16), Linear(16, 3)).
    private static Sequential Mlp(int hidden = 16) =>
        new(new Linear(6, hidden, new Rng(1)), new Activation(ActivationKind.Gelu), new LayerNorm(hidden), new Linear(hidden, 3, new Rng(2)));

    private static (Tensor X, float[] Y) Io()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Fixture("mlp-io.json")));
        Tensor Read(string name) => Tensor.FromArray(
            [.. json.RootElement.GetProperty(name).GetProperty("data").EnumerateArray().Select(v => (float)v.GetDouble())],
            [.. json.RootElement.GetProperty(name).GetProperty("shape").EnumerateArray().Select(v => v.GetInt32())]);
        return (Read("x"), Read("y").ToArray());
    }

    private static void AssertMatchesPyTorch(Layer model)
    {
        var (x, expected) = Io();
        var actual = model.Forward(x).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5f + 1e-5f * Math.Abs(expected[i]), $"output {i}: {actual[i]} here, {expected[i]} in PyTorch");
    }

    [Theory]
    [InlineData("mlp.pt")]
    [InlineData("mlp.safetensors")]
    [InlineData("mlp-float64.pt")]
    public void A_PyTorch_state_loads_by_parameter_path_and_gives_PyTorchs_outputs(string file)
    {
        var model = Mlp();
        var (x, expected) = Io();
        Assert.NotEqual(expected[0], model.Forward(x).ToArray()[0]);
        model.LoadTorchState(Fixture(file));
        AssertMatchesPyTorch(model);
    }

    [Theory]
    [InlineData("mlp.pt")]
    [InlineData("mlp.safetensors")]
    public void A_PyTorch_state_loads_into_a_model_on_a_libtorch_device(string file)
    {
        var device = Device.Torch("cpu");
        var model = (Sequential)Mlp().To(device);
        model.LoadTorchState(Fixture(file));
        Assert.All(model.Parameters(), p => Assert.Same(device, p.Device));
        var (x, expected) = Io();
        var actual = model.Forward(x.To(device)).ToArray();
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5f + 1e-5f * Math.Abs(expected[i]), $"output {i}: {actual[i]} here, {expected[i]} in PyTorch");
    }

    [Fact]
    public void The_state_dict_reads_to_the_exact_values_of_the_safetensors_copy()
    {
        var pickled = TorchStateDict.Read(Fixture("mlp.pt"));
        var safe = Modular.Checkpoints.SafeTensorsFile.Read(Fixture("mlp.safetensors")).GetAll();
        Assert.Equal(["0.bias", "0.weight", "2.bias", "2.weight", "3.bias", "3.weight"], pickled.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, tensor) in safe)
        {
            Assert.Equal(tensor.Shape, pickled[key].Shape);
            Assert.Equal(tensor.ToArray().Select(BitConverter.SingleToInt32Bits), pickled[key].ToArray().Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void A_path_mapping_renames_keys_and_null_leaves_them_out()
    {
        var wrapped = new Sequential(Mlp());
        wrapped.LoadTorchState(Fixture("mlp.pt"), key => "0." + key);
        AssertMatchesPyTorch(wrapped);

        var partial = Mlp();
        var before = partial.State()["3.weight"].ToArray();
        partial.LoadTorchState(Fixture("mlp.pt"), key => key.StartsWith("3.", StringComparison.Ordinal) ? null : key, strict: false);
        Assert.Equal(before, partial.State()["3.weight"].ToArray());
    }

    [Fact]
    public void Unknown_and_missing_keys_are_named_with_the_file_and_the_remedy()
    {
        var e = Assert.Throws<ModulePathException>(() => new Sequential(Mlp()).LoadTorchState(Fixture("mlp.pt")));
        Assert.Contains("mlp.pt", e.Message, StringComparison.Ordinal);
        Assert.Contains("missing 0.0.weight", e.Message, StringComparison.Ordinal);
        Assert.Contains("unknown 0.bias", e.Message, StringComparison.Ordinal);
        Assert.Contains("pathMapping", e.Message, StringComparison.Ordinal);

        var mapped = Assert.Throws<ModulePathException>(() => Mlp().LoadTorchState(Fixture("mlp.pt"), key => key.Replace("3.", "4.", StringComparison.Ordinal)));
        Assert.Contains("unknown 4.bias", mapped.Message, StringComparison.Ordinal);
        Assert.Contains("Check the pathMapping", mapped.Message, StringComparison.Ordinal);

        var collide = Assert.Throws<ModulePathException>(() => Mlp().LoadTorchState(Fixture("mlp.pt"), _ => "0.weight"));
        Assert.Contains("both", collide.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_shape_mismatch_names_the_key_both_shapes_and_leaves_the_model_unchanged()
    {
        var model = Mlp(hidden: 8);
        var before = model.State().ToDictionary(e => e.Key, e => e.Value.ToArray());
        var e = Assert.Throws<ShapeMismatchException>(() => model.LoadTorchState(Fixture("mlp.pt")));
        Assert.Contains("mlp.pt", e.Message, StringComparison.Ordinal);
        Assert.Contains("'0.bias'", e.Message, StringComparison.Ordinal);
        Assert.Contains("[16]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[8]", e.Message, StringComparison.Ordinal);
        foreach (var (key, values) in before) Assert.Equal(values, model.State()[key].ToArray());

        var renamed = Assert.Throws<ShapeMismatchException>(() => new Sequential(Mlp(hidden: 8)).LoadTorchState(Fixture("mlp.pt"), key => "0." + key));
        Assert.Contains("'0.0.bias' is the file's '0.bias'", renamed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_that_are_not_state_dicts_are_typed_errors_naming_file_and_key()
    {
        var nested = Assert.Throws<CheckpointFormatException>(() => Mlp().LoadTorchState(Fixture("nested.pt")));
        Assert.Contains("nested.pt", nested.Message, StringComparison.Ordinal);
        Assert.Contains("under 'model'", nested.Message, StringComparison.Ordinal);

        var ids = Assert.Throws<CheckpointFormatException>(() => TorchStateDict.Read(Fixture("ids.pt")));
        Assert.Contains("'ids'", ids.Message, StringComparison.Ordinal);
        Assert.Contains("Int64", ids.Message, StringComparison.Ordinal);

        using var dir = new TempDirectory();
        var garbage = dir.File("garbage.pt");
        File.WriteAllText(garbage, "this is not a pickle");
        var bad = Assert.Throws<CheckpointFormatException>(() => Mlp().LoadTorchState(garbage));
        Assert.Contains(garbage, bad.Message, StringComparison.Ordinal);
        Assert.Contains("torch.save(model.state_dict(), path)", bad.Message, StringComparison.Ordinal);

        var truncated = dir.File("truncated.pt");
        File.WriteAllBytes(truncated, File.ReadAllBytes(Fixture("mlp.pt"))[..1000]);
        Assert.Throws<CheckpointFormatException>(() => TorchStateDict.Read(truncated));

        Assert.Contains("does not exist", Assert.Throws<CheckpointFormatException>(() => Mlp().LoadTorchState(dir.File("absent.pt"))).Message, StringComparison.Ordinal);
    }
}
