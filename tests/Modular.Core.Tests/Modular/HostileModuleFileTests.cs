using Modular.Checkpoints;
using Modular.Computation;
using Modular.Tensors;
using Modular.Tests.Checkpoints;

namespace Modular.Tests.Modular;

/// <summary>
/// Module files and PEFT adapters edited the way a hostile or careless user would: repeated JSON keys and hosts,
/// numbers beyond float's range, NaN weights. Each is refused with a typed error naming the file and the key or
/// tensor, and the model is left as it was.
/// </summary>
public sealed class HostileModuleFileTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    private string FilePath => directory.File("module.safetensors");

    /// <summary>Saves a rank-2 LoRA module "a" at the two query layers, then rewrites its header with <paramref name="edit"/>.</summary>
    private void SaveEdited(string key, Func<string, string> edit)
    {
        var model = Tiny.Classifier().WithModules().Attach("layers.*.attention.query", new LoRA(rank: 2), "a");
        Tiny.Randomize(model, "a");
        model.SaveModule("a", FilePath, "head");
        var file = SafeTensorsFile.Read(FilePath);
        var metadata = file.Metadata.ToDictionary();
        var edited = edit(metadata[key]);
        Assert.NotEqual(metadata[key], edited);
        metadata[key] = edited;
        SafeTensorsFile.Write(FilePath, file.GetAll(), metadata);
    }

    [Theory]
    [InlineData("modular.modules", "\"name\":\"a\",", "\"name\":\"a\",\"name\":\"b\",", "name")]
    [InlineData("modular.modules", "\"kind\":\"LoRA\",", "\"kind\":\"LoRA\",\"kind\":\"LoRA\",", "kind")]
    [InlineData("modular.modules", "\"rank\":2,", "\"rank\":2,\"rank\":3,", "rank")]
    [InlineData("modular.base", "\"type\":", "\"type\":\"X\",\"type\":", "type")]
    public void A_header_that_repeats_a_key_is_a_checkpoint_format_error_naming_the_file_and_the_key(string metadataKey, string find, string replace, string repeated)
    {
        SaveEdited(metadataKey, json => json.Replace(find, replace, StringComparison.Ordinal));
        var model = Tiny.Classifier().WithModules();

        var error = Assert.Throws<CheckpointFormatException>(() => model.LoadModule(FilePath));

        Assert.StartsWith($"'{FilePath}' has a malformed Modular header (", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{repeated}'", error.Message, StringComparison.Ordinal);
        Assert.Empty(model.Modules);
    }

    [Fact]
    public void A_host_listed_twice_is_a_checkpoint_format_error_naming_the_module_and_the_host()
    {
        SaveEdited("modular.modules", json => json.Replace("\"hosts\":[\"layers.0.attention.query\",", "\"hosts\":[\"layers.0.attention.query\",\"layers.0.attention.query\",", StringComparison.Ordinal));

        var error = Assert.Throws<CheckpointFormatException>(() => Tiny.Classifier().WithModules().LoadModule(FilePath));

        Assert.Contains("module 'a' lists the host layer 'layers.0.attention.query' twice", error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"'{FilePath}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lora_alpha_beyond_float_range_is_a_configuration_error_naming_the_setting()
    {
        SaveEdited("modular.modules", json => json.Replace("\"alpha\":2", "\"alpha\":1e39", StringComparison.Ordinal));

        var error = Assert.Throws<ConfigurationException>(() => Tiny.Classifier().WithModules().LoadModule(FilePath));

        Assert.Equal($"'{FilePath}': the LoRA recipe setting 'alpha' is 1e39, which is beyond float's range (±3.4e38) and reads as Infinity; set a finite value.", error.Message);
    }

    [Fact]
    public void A_lora_built_in_code_with_an_infinite_alpha_or_nan_dropout_is_refused()
    {
        Assert.Contains("alpha Infinity must be a finite number", Assert.Throws<ConfigurationException>(() => new LoRA(rank: 2, alpha: float.PositiveInfinity)).Message, StringComparison.Ordinal);
        Assert.Contains("dropout NaN must lie in [0, 1)", Assert.Throws<ConfigurationException>(() => new LoRA(rank: 2, dropout: float.NaN)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_nan_weight_in_a_module_file_is_refused_naming_the_tensor_and_element_and_the_base_is_left_unchanged()
    {
        var model = Tiny.Classifier().WithModules().Attach("layers.*.attention.query", new LoRA(rank: 2), "a");
        Tiny.Randomize(model, "a");
        model.SaveModule("a", FilePath, "head");
        var file = SafeTensorsFile.Read(FilePath);
        var tensors = file.GetAll().ToDictionary(e => e.Key, e => e.Value.ToArray());
        const string Poisoned = "layers.1.attention.query.modules.a.B";
        tensors[Poisoned][5] = float.NaN;
        SafeTensorsFile.Write(FilePath, tensors.ToDictionary(e => e.Key, e => Tensor.FromArray(e.Value, file.Info(e.Key).Shape.ToArray())), file.Metadata);
        var fresh = Tiny.Classifier(seed: 9).WithModules();
        var before = Tiny.Snapshot(fresh.Base);

        var error = Assert.Throws<NonFiniteValueException>(() => fresh.LoadModule(FilePath));

        Assert.StartsWith($"Tensor '{Poisoned}' in '{FilePath}' holds NaN at element [2, 1] (flat index 5)", error.Message, StringComparison.Ordinal);
        Assert.Contains("allowNonFinite: true", error.Message, StringComparison.Ordinal);
        Assert.Empty(fresh.Modules);
        Assert.Empty(Tiny.Changed(before, Tiny.Snapshot(fresh.Base)));   // the head saved with the module was not copied either

        var loaded = Tiny.Classifier(seed: 9).WithModules().LoadModule(FilePath, allowNonFinite: true);
        Assert.True(float.IsNaN(((LoRAModule)loaded.Parts[1].Module).B.ToArray()[5]));
    }

    [Fact]
    public void Importing_a_peft_adapter_whose_lora_B_holds_nan_is_refused_unless_allowed()
    {
        var trained = Tiny.Classifier().WithModules().Attach("layers.*.attention.query|value", new LoRA(rank: 2), "mine");
        Tiny.Randomize(trained, "mine");
        trained.ExportPeft("mine", directory.Path);
        string weights = Path.Combine(directory.Path, "adapter_model.safetensors");
        var file = SafeTensorsFile.Read(weights);
        const string Poisoned = "base_model.model.layers.0.attention.value.lora_B.weight";
        var tensors = file.Names.ToDictionary(n => n, n => file.Get(n).ToArray());
        tensors[Poisoned][0] = float.PositiveInfinity;
        SafeTensorsFile.Write(weights, tensors.ToDictionary(e => e.Key, e => Tensor.FromArray(e.Value, file.Info(e.Key).Shape.ToArray())), file.Metadata);
        var fresh = Tiny.Classifier().WithModules();

        var error = Assert.Throws<NonFiniteValueException>(() => fresh.ImportPeft(directory.Path, "mine"));

        Assert.StartsWith($"Tensor '{Poisoned}' in '{weights}' holds Infinity at element [0, 0] (flat index 0)", error.Message, StringComparison.Ordinal);
        Assert.Empty(fresh.Modules);
        Assert.Equal("mine", fresh.ImportPeft(directory.Path, "mine", allowNonFinite: true).Name);
    }
}
