using Modular.Checkpoints;
using Modular.Tensors;

namespace Modular.Tests.Checkpoints;

/// <summary>Import and export of PEFT's adapter directory, against files written by tests/golden/make_peft_adapter_fixture.py.</summary>
public sealed class PeftLoraAdapterTests : IDisposable
{
    private static readonly string GoldenAdapter = GoldenFiles.Path("peft", "lora_adapter");
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    /// <summary>The generator's values: sin(0.37 i + phase) / 2, rounded once to float32.</summary>
    private static float[] Values(int count, int phase) =>
        Enumerable.Range(0, count).Select(i => (float)(Math.Sin(0.37 * i + phase) / 2)).ToArray();

    [Fact]
    public void Imports_the_config_ignoring_keys_it_does_not_model()
    {
        var config = PeftLoraAdapter.Read(GoldenAdapter).Config;

        Assert.Equal(4, config.R);
        Assert.Equal(16, config.LoraAlpha);
        Assert.Equal(0.05, config.LoraDropout);
        Assert.Equal(["query", "value"], config.TargetModules!.Names);
        Assert.Null(config.TargetModules.Pattern);
        Assert.Equal(PeftLoraBias.None, config.Bias);
        Assert.Equal(["classifier"], config.ModulesToSave!);
        Assert.Equal("tiny-encoder-\u00e9", config.BaseModelNameOrPath);
        Assert.Equal("SEQ_CLS", config.TaskType);
        Assert.False(config.FanInFanOut);
        Assert.False(config.UseRsLora);
    }

    [Fact]
    public void Imports_each_module_s_factors_with_its_own_rank_and_the_saved_head()
    {
        var adapter = PeftLoraAdapter.Read(GoldenAdapter);

        Assert.Equal(["layers.0.attention.query", "layers.0.attention.value", "layers.1.attention.value"], adapter.Weights.Select(w => w.ModulePath));
        Assert.Equal([4, 4, 2], adapter.Weights.Select(w => w.Rank));
        var value1 = adapter.Weights[2];
        Assert.Equal(TensorShape.Of(2, 6), value1.A.Shape);
        Assert.Equal(TensorShape.Of(6, 2), value1.B.Shape);
        Assert.Equal(Values(12, 4), value1.A.ToArray());
        Assert.Equal(Values(12, 5), value1.B.ToArray());
        Assert.Equal(16.0 / 2, adapter.Config.Scaling(value1.Rank));

        Assert.Equal(["classifier.bias", "classifier.weight"], adapter.SavedParameters.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Values(18, 10), adapter.SavedParameters["classifier.weight"].ToArray());
        Assert.Equal(Values(3, 11), adapter.SavedParameters["classifier.bias"].ToArray());
    }

    [Fact]
    public void Export_of_an_imported_adapter_matches_what_peft_writes_byte_for_byte()
    {
        PeftLoraAdapter.Read(GoldenAdapter).Write(directory.Path);

        // The weights file is PEFT's exactly; the config is PEFT's json.dumps layout for the fields Modular models.
        Assert.Equal(
            File.ReadAllBytes(Path.Combine(GoldenAdapter, PeftLoraAdapter.WeightsFileName)),
            File.ReadAllBytes(directory.File(PeftLoraAdapter.WeightsFileName)));
        Assert.Equal(
            File.ReadAllText(GoldenFiles.Path("peft", "modular_export", PeftLoraAdapter.ConfigFileName)),
            File.ReadAllText(directory.File(PeftLoraAdapter.ConfigFileName)));
        Assert.Equal([PeftLoraAdapter.ConfigFileName, PeftLoraAdapter.WeightsFileName], Directory.GetFiles(directory.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Path_mapping_translates_module_paths_both_ways_and_keeps_parameter_names()
    {
        var adapter = PeftLoraAdapter.Read(GoldenAdapter, toModularPath: p => "encoder." + p);

        Assert.Equal("encoder.layers.0.attention.query", adapter.Weights[0].ModulePath);
        Assert.Contains("encoder.classifier.weight", adapter.SavedParameters.Keys);

        adapter.Write(directory.Path, toPeftPath: p => p["encoder.".Length..]);
        Assert.Equal(
            File.ReadAllBytes(Path.Combine(GoldenAdapter, PeftLoraAdapter.WeightsFileName)),
            File.ReadAllBytes(directory.File(PeftLoraAdapter.WeightsFileName)));
    }

    [Fact]
    public void Modules_whose_rank_differs_from_r_are_listed_in_rank_pattern_and_read_back()
    {
        var weights = new[]
        {
            new LoraWeights("blocks.0.q", Tensor.Ones(8, 5), Tensor.Ones(3, 8)),
            new LoraWeights("blocks.0.v", Tensor.Ones(2, 5), Tensor.Ones(3, 2)),
        };
        new PeftLoraAdapter(new PeftLoraConfig { R = 8, LoraAlpha = 12.5, UseRsLora = true, TargetModules = PeftTargetModules.FromPattern(@".*\.(q|v)$") }, weights)
            .Write(directory.Path);

        string config = File.ReadAllText(directory.File(PeftLoraAdapter.ConfigFileName));
        Assert.Contains("\"rank_pattern\": {\n    \"blocks.0.v\": 2\n  }", config, StringComparison.Ordinal);
        Assert.Contains("\"lora_alpha\": 12.5,", config, StringComparison.Ordinal);
        Assert.Contains("\"target_modules\": \".*\\\\.(q|v)$\",", config, StringComparison.Ordinal);

        var read = PeftLoraAdapter.Read(directory.Path);
        Assert.Equal([8, 2], read.Weights.Select(w => w.Rank));
        Assert.Equal(12.5 / Math.Sqrt(2), read.Config.Scaling(2), 12);
        Assert.Equal(@".*\.(q|v)$", read.Config.TargetModules!.Pattern);
        Assert.Empty(read.SavedParameters);
    }

    [Fact]
    public void Rewriting_an_adapter_directory_replaces_both_files_and_leaves_no_temporary_files()
    {
        var small = new PeftLoraAdapter(new PeftLoraConfig { R = 1 }, [new LoraWeights("fc", Tensor.Ones(1, 2), Tensor.Ones(2, 1))]);
        small.Write(directory.Path);
        PeftLoraAdapter.Read(GoldenAdapter).Write(directory.Path);

        Assert.Equal(2, Directory.GetFiles(directory.Path).Length);
        Assert.Equal(3, PeftLoraAdapter.Read(directory.Path).Weights.Count);
    }

    [Fact]
    public void Invalid_config_values_are_refused_on_export_before_anything_is_written()
    {
        var adapter = new PeftLoraAdapter(new PeftLoraConfig { LoraDropout = 1.0 }, [new LoraWeights("fc", Tensor.Ones(1, 2), Tensor.Ones(2, 1))]);

        var error = Assert.Throws<ConfigurationException>(() => adapter.Write(directory.Path));

        Assert.Contains("lora_dropout is 1", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(directory.Path));
    }

    [Fact]
    public void Lora_factors_must_pair_up()
    {
        var error = Assert.Throws<ShapeMismatchException>(() => new LoraWeights("fc", Tensor.Ones(4, 8), Tensor.Ones(6, 3)));
        Assert.Contains("A is [4, 8] and B is [6, 3]", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, 16.0 / 4)]
    [InlineData(true, 16.0 / 2)]
    public void Scaling_is_alpha_over_r_or_over_its_square_root_with_rslora(bool rsLora, double expected)
    {
        Assert.Equal(expected, new PeftLoraConfig { LoraAlpha = 16, UseRsLora = rsLora }.Scaling(4));
    }
}
