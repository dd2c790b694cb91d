using Modular.Computation;
using Modular.NN;
using Modular.Tensors;
using Xunit.Abstractions;

namespace Modular.Tests.Modular;

/// <summary>
/// Each module type against PyTorch (tests/golden/generate_modules.py): the same weights give the same outputs and
/// gradients within 1e-5 relative (see <see cref="PyTorchReference.Floor"/> for the absolute floor).
/// </summary>
public sealed class PyTorchGoldenTests(ITestOutputHelper output)
{
    /// <summary>The recipe of each recorded case, as the generator applies it (every module is named "golden").</summary>
    private static (string Pattern, IModuleSpec Spec) Recipe(string name) => name switch
    {
        "lora" => ("attention.query|value", new LoRA(rank: 2, alpha: 4)),
        "pfeiffer" => ("feedForward", new BottleneckAdapter(reduction: 2, AdapterPlacement.Pfeiffer)),
        "houlsby" => ("attention|feedForward", new BottleneckAdapter(reduction: 2, AdapterPlacement.Houlsby)),
        "parallel" => ("feedForward", new ParallelAdapter(reduction: 2, scaling: 0.5f)),
        "ia3" => ("attention.key|value, feedForward.activation", new IA3()),
        "prefix" => ("attention.key|value", new PrefixTuning(tokens: 3)),
        "prompt" => ("embeddings", new PromptTuning(tokens: 2)),
        "model_lora" => ("layers.*.attention.query|value", new LoRA(rank: 2, alpha: 4)),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such golden case"),
    };

    public static TheoryData<string> LayerCases => ["lora", "pfeiffer", "houlsby", "parallel", "ia3", "prefix"];

    public static TheoryData<string> ModelCases => ["prompt", "model_lora"];

    [Theory]
    [MemberData(nameof(LayerCases))]
    public void Encoder_layer_with_the_module_gives_pytorch_s_outputs_and_gradients(string name)
    {
        var layer = new TransformerEncoderLayer(8, 2, 16, new Rng(0));
        var (pattern, spec) = Recipe(name);
        var model = layer.WithModules().Attach(pattern, spec, "golden");
        layer.LoadState(PyTorchReference.State("layer/base/", $"{name}/param/"));
        var x = PyTorchReference.Get("layer/x");
        x.RequiresGrad = true;

        using (ForwardContext.Begin(PyTorchReference.Get("layer/mask")))
        {
            var y = layer.Forward(x);
            y.Mul(PyTorchReference.Get("layer/upstream")).Sum().Backward();
            Report(name, "output", PyTorchReference.AssertMatches($"{name}/output", y));
        }
        Report(name, "input gradient", PyTorchReference.AssertMatches($"{name}/grad_input", x.Grad));
        AssertModuleGradients(name, model);
    }

    [Theory]
    [MemberData(nameof(ModelCases))]
    public void Classifier_with_the_module_gives_pytorch_s_outputs_and_gradients(string name)
    {
        var classifier = GoldenClassifier();
        var (pattern, spec) = Recipe(name);
        var model = classifier.WithModules().Attach(pattern, spec, "golden");
        classifier.LoadState(PyTorchReference.State("model/base/", $"{name}/param/"));

        var logits = model.Forward(PyTorchReference.Ids("model/ids"), PyTorchReference.Get("model/mask"));
        logits.Mul(PyTorchReference.Get("model/upstream")).Sum().Backward();

        Report(name, "output", PyTorchReference.AssertMatches($"{name}/output", logits));
        AssertModuleGradients(name, model);
    }

    /// <summary>The generator's classifier: vocabulary 12, d 8, 2 layers of 2 heads, ff 16, 3 classes, 6 positions.</summary>
    internal static TransformerClassifier GoldenClassifier() => TransformerClassifier.Create(vocab: 12, dModel: 8, layers: 2, heads: 2, ff: 16, classes: 3, maxLength: 6);

    private void AssertModuleGradients(string name, ModularModel model)
    {
        var own = model.Get("golden").OwnParameters;
        var parameters = model.Base.NamedParameters().Where(e => own.Contains(e.Parameter)).ToList();
        Assert.NotEmpty(parameters);
        foreach (var (path, parameter) in parameters)
            Report(name, path, PyTorchReference.AssertMatches($"{name}/grad/{path}", parameter.Grad));
    }

    private void Report(string name, string what, double worst) => output.WriteLine($"{name} {what}: worst error {worst:F3} of the tolerance");
}
