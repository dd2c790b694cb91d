using Modular.Checkpoints;
using Modular.Computation;
using Modular.Tensors;
using Modular.Tests.Checkpoints;

namespace Modular.Tests.Modular;

/// <summary>
/// LoRA modules through PEFT's adapter format: the adapter tests/golden/generate_modules.py wrote for a PyTorch model
/// named like torch_ref.py (layers.N.q, layers.N.v, head) imports and gives PyTorch's outputs; exports load back.
/// </summary>
public sealed class PeftInteropTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    private static readonly Dictionary<string, string> TorchRefNames = new() { ["q"] = "attention.query", ["v"] = "attention.value" };

    /// <summary>torch_ref's <c>layers.0.q</c> is Modular's <c>layers.0.attention.query</c>.</summary>
    private static string FromTorchRef(string path)
    {
        int dot = path.LastIndexOf('.');
        return dot > 0 && TorchRefNames.TryGetValue(path[(dot + 1)..], out var ours) ? $"{path[..dot]}.{ours}" : path;
    }

    private static string ToTorchRef(string path) =>
        TorchRefNames.Aggregate(path, (p, e) => p.EndsWith("." + e.Value, StringComparison.Ordinal) ? p[..^e.Value.Length] + e.Key : p);

    private static ModularModel GoldenBase()
    {
        var classifier = PyTorchGoldenTests.GoldenClassifier();
        classifier.LoadState(PyTorchReference.State("model/base/"));
        return classifier.WithModules();
    }

    private static float[] Logits(ModularModel model)
    {
        model.Base.Eval();   // the adapter's lora_dropout must not act
        return Tiny.Outputs(model, PyTorchReference.Ids("model/ids"), PyTorchReference.Get("model/mask"));
    }

    [Fact]
    public void Imported_peft_adapter_gives_pytorch_s_outputs()
    {
        var model = GoldenBase();

        var module = model.ImportPeft(PyTorchReference.PeftAdapter, "peft", pathMapping: FromTorchRef);

        Assert.Equal(4, module.Parts.Count);
        Assert.All(module.Parts, p => Assert.Equal(8f / 2, ((LoRAModule)p.Module).Scale));
        Assert.Equal(0.05f, ((LoRA)module.Spec).Dropout);
        using var logits = Tensor.FromArray(Logits(model), 2, 3);
        PyTorchReference.AssertMatches("peft/output", logits);
    }

    [Fact]
    public void Exported_adapter_is_the_peft_file_it_was_imported_from_byte_for_byte()
    {
        var model = GoldenBase();
        model.ImportPeft(PyTorchReference.PeftAdapter, "peft", pathMapping: FromTorchRef);

        model.ExportPeft("peft", directory.Path, baseModelName: "tiny-torch-ref-classifier", pathMapping: ToTorchRef, modulesToSave: ["head"], taskType: "SEQ_CLS");

        Assert.Equal(File.ReadAllBytes(Path.Combine(PyTorchReference.PeftAdapter, PeftLoraAdapter.WeightsFileName)),
                     File.ReadAllBytes(Path.Combine(directory.Path, PeftLoraAdapter.WeightsFileName)));
        var config = PeftLoraConfig.Read(Path.Combine(directory.Path, PeftLoraAdapter.ConfigFileName));
        Assert.Equal((2, 8.0, 0.05), (config.R, config.LoraAlpha, config.LoraDropout));
        Assert.Equal(["q", "v"], config.TargetModules!.Names);
        Assert.Equal(["head"], config.ModulesToSave!);
        Assert.Equal(("tiny-torch-ref-classifier", "SEQ_CLS"), (config.BaseModelNameOrPath, config.TaskType));
    }

    [Fact]
    public void Adapter_exported_from_a_trained_module_loads_back_with_identical_outputs()
    {
        var trained = GoldenBase().Attach("layers.*.attention.query|value", new LoRA(rank: 3, alpha: 6), "mine");
        Tiny.Randomize(trained, "mine");
        trained.ExportPeft("mine", directory.Path);

        var fresh = GoldenBase();
        fresh.ImportPeft(directory.Path, "mine");

        Assert.Equal(Logits(trained), Logits(fresh));
        Assert.Equal(2f, ((LoRAModule)fresh.Get("mine").Parts[0].Module).Scale);
    }

    [Fact]
    public void Export_names_full_paths_when_the_short_names_would_select_other_layers_too()
    {
        var model = GoldenBase().Attach("layers.0.attention.query", new LoRA(rank: 2), "first");

        model.ExportPeft("first", directory.Path);

        Assert.Equal(["layers.0.attention.query"], PeftLoraConfig.Read(Path.Combine(directory.Path, PeftLoraAdapter.ConfigFileName)).TargetModules!.Names);
    }

    [Fact]
    public void Export_refuses_a_module_that_is_not_lora()
    {
        var model = GoldenBase().Attach(new IA3(), "scales");

        var error = Assert.Throws<ConfigurationException>(() => model.ExportPeft("scales", directory.Path));

        Assert.Contains("'scales' is a (IA)³ module; only LoRA modules export", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Import_without_the_path_mapping_names_the_missing_layers_and_changes_nothing()
    {
        var model = GoldenBase();
        var before = Tiny.Snapshot(model.Base);

        var error = Assert.Throws<ModulePathException>(() => model.ImportPeft(PyTorchReference.PeftAdapter, "peft"));

        Assert.Contains("'layers.0.q'", error.Message, StringComparison.Ordinal);
        Assert.Contains("pass a pathMapping", error.Message, StringComparison.Ordinal);
        Assert.Empty(model.Modules);
        Assert.Empty(Tiny.Changed(before, Tiny.Snapshot(model.Base)));
    }

    [Fact]
    public void Import_into_a_base_of_other_sizes_is_a_shape_error()
    {
        var wider = Tiny.Classifier().WithModules();   // d = 16, where the adapter was made for d = 8
        var source = GoldenBase().Attach("layers.*.attention.query", new LoRA(rank: 2), "narrow");
        source.ExportPeft("narrow", directory.Path);

        var error = Assert.Throws<ShapeMismatchException>(() => wider.ImportPeft(directory.Path, "narrow"));

        Assert.Contains("'layers.0.attention.query' is 16 → 16 here but 8 → 8 in the adapter", error.Message, StringComparison.Ordinal);
        Assert.Empty(wider.Modules);
    }
}
