using Modular.Checkpoints;
using Modular.Tensors;

namespace Modular.Tests.Checkpoints;

public sealed class PeftLoraMalformedAdapterTests : IDisposable
{
    private const string ValidConfig = """{"peft_type": "LORA", "r": 2, "lora_alpha": 4}""";
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    private void WriteAdapter(string config, Dictionary<string, Tensor> tensors)
    {
        File.WriteAllText(directory.File(PeftLoraAdapter.ConfigFileName), config);
        SafeTensorsFile.Write(directory.File(PeftLoraAdapter.WeightsFileName), tensors);
    }

    private static Dictionary<string, Tensor> OneLayer() => new()
    {
        ["base_model.model.fc.lora_A.weight"] = Tensor.Ones(2, 3),
        ["base_model.model.fc.lora_B.weight"] = Tensor.Ones(4, 2),
    };

    private CheckpointFormatException Rejected() => Assert.Throws<CheckpointFormatException>(() => PeftLoraAdapter.Read(directory.Path));

    [Theory]
    [InlineData("""{"r": 2}""", "has no \"peft_type\"")]
    [InlineData("""{"peft_type": "IA3"}""", "is a PEFT IA3 adapter; only LORA adapters")]
    [InlineData("""{"peft_type": "LORA", "r": "8"}""", "\"r\" must be a positive integer, but it is a string")]
    [InlineData("""{"peft_type": "LORA", "r": 0}""", "\"r\" must be a positive integer, but it is the number 0")]
    [InlineData("""{"peft_type": "LORA", "r": 8.5}""", "\"r\" must be a positive integer, but it is the number 8.5")]
    [InlineData("""{"peft_type": "LORA", "lora_alpha": null}""", "\"lora_alpha\" must be a number, but it is null")]
    [InlineData("""{"peft_type": "LORA", "lora_dropout": 1.5}""", "\"lora_dropout\" must be a dropout probability in [0, 1)")]
    [InlineData("""{"peft_type": "LORA", "bias": "some"}""", "\"bias\" must be one of \"none\", \"all\", \"lora_only\"")]
    [InlineData("""{"peft_type": "LORA", "fan_in_fan_out": "yes"}""", "\"fan_in_fan_out\" must be true or false")]
    [InlineData("""{"peft_type": "LORA", "target_modules": 5}""", "\"target_modules\" must be a list of module names or a regular expression")]
    [InlineData("""{"peft_type": "LORA", "modules_to_save": ["classifier", 1]}""", "\"modules_to_save\" must be a list of non-empty module names, but one item is the number 1")]
    [InlineData("""{"peft_type": "LORA", "base_model_name_or_path": 3}""", "\"base_model_name_or_path\" must be a string or null")]
    [InlineData("""{"peft_type": "LORA", "use_dora": true}""", "sets \"use_dora\": true; DoRA")]
    [InlineData("""{"peft_type": "LORA", "alpha_pattern": {"fc": 8}}""", "sets \"alpha_pattern\"; per-module alphas are not supported")]
    [InlineData("""{"peft_type": "LORA", "r": 2, "r": 4}""", "not valid JSON")]
    [InlineData("""{"peft_type": "LORA",""", "not valid JSON")]
    [InlineData("""["LORA"]""", "must be a JSON object of settings, but it is an array of 1 items")]
    public void Invalid_config_is_rejected_naming_the_key(string config, string expectedMessage)
    {
        WriteAdapter(config, OneLayer());

        var error = Rejected();

        Assert.Contains($"'{directory.File(PeftLoraAdapter.ConfigFileName)}' is not a valid PEFT adapter config", error.Message, StringComparison.Ordinal);
        Assert.Contains(expectedMessage, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unpaired_surrogate_escape_in_a_config_string_is_rejected()
    {
        WriteAdapter("""{"peft_type": "LORA", "task_type": "\ud800"}""", OneLayer());
        Assert.Contains("unpaired UTF-16 surrogate", Rejected().Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> KeysOutsideTheLayout => new()
    {
        { "fc.lora_A.weight", "does not start with 'base_model.model.'" },
        { "base_model.model.embed.lora_embedding_A", "holds a kind of LoRA tensor Modular does not import" },
        { "base_model.model.fc.lora_magnitude_vector", "holds a kind of LoRA tensor Modular does not import" },
        { "base_model.model.fc.lora_B.bias", "holds a kind of LoRA tensor Modular does not import" },
        { "base_model.model.lora_A.weight", "holds a kind of LoRA tensor Modular does not import" },
        { "base_model.model..lora_A.weight", "names no module" },
        { "base_model.model.bias", "names no parameter of a module" },
    };

    [Theory]
    [MemberData(nameof(KeysOutsideTheLayout))]
    public void Weights_key_outside_peft_s_layout_is_rejected(string key, string expectedMessage)
    {
        var tensors = OneLayer();
        tensors[key] = Tensor.Ones(2);
        WriteAdapter(ValidConfig, tensors);

        var error = Rejected();

        Assert.Contains($"key '{key}' {expectedMessage}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Factor_without_its_partner_is_rejected()
    {
        WriteAdapter(ValidConfig, new() { ["base_model.model.fc.lora_A.weight"] = Tensor.Ones(2, 3) });
        Assert.Contains("holds lora_A but no lora_B for module 'fc'", Rejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Factors_whose_shapes_do_not_pair_up_are_rejected()
    {
        WriteAdapter(ValidConfig, new()
        {
            ["base_model.model.fc.lora_A.weight"] = Tensor.Ones(2, 3),
            ["base_model.model.fc.lora_B.weight"] = Tensor.Ones(4, 3),
        });
        Assert.Contains("A is [2, 3] and B is [4, 3]", Rejected().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_weights_file_is_reported_with_a_hint_about_pickled_weights()
    {
        File.WriteAllText(directory.File(PeftLoraAdapter.ConfigFileName), ValidConfig);
        File.WriteAllBytes(directory.File("adapter_model.bin"), [0x80]);

        var error = Rejected();

        Assert.Contains("has no adapter_model.safetensors", error.Message, StringComparison.Ordinal);
        Assert.Contains("safe_serialization=True", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_weights_file_is_reported_as_such()
    {
        File.WriteAllText(directory.File(PeftLoraAdapter.ConfigFileName), ValidConfig);
        File.WriteAllBytes(directory.File(PeftLoraAdapter.WeightsFileName), [1, 2, 3]);

        Assert.Contains("is not a valid safetensors file", Rejected().Message, StringComparison.Ordinal);
    }
}
