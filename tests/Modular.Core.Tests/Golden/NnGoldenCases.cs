using Modular.NN;
using Modular.Tensors;
using Modular.Tests.Support;
using Xunit.Abstractions;

namespace Modular.Tests.Golden;

/// <summary>
/// Layers and a whole classifier against PyTorch 1.13 (fixtures from tests/golden/generate_nn.py): the same weights
/// are loaded by path, and outputs and gradients must agree element-wise. Run on each backend: the CPU engine here
/// (<see cref="NnGoldenTests"/>), libtorch in Modular.TorchSharp.Tests.
/// </summary>
public abstract class NnGoldenCases(ITestOutputHelper output)
{
    /// <summary>The device the layers move to after loading PyTorch's weights, and their inputs with them.</summary>
    protected abstract Device Device { get; }

    /// <summary>Single layers: 1e-5 relative.</summary>
    private const double LayerTolerance = 1e-5;

    /// <summary>Whole-model gradients: 1e-4 relative (two encoder layers of float32 rounding, summed in another order than PyTorch's).</summary>
    private const double ModelTolerance = 1e-4;

    /// <summary>
    /// The absolute floor for elements near zero, whose float32 rounding is set by the terms summed into them, not by
    /// their own size: twice the largest deviation of PyTorch's own float32 results from float64 in that case (the
    /// generator measures it), since PyTorch and Modular each round independently.
    /// </summary>
    private static double Floor(NnFixture c) => 2 * c.Number("float32_error");

    private static readonly NnFixture Layers = NnFixture.Load("nn-layers.json");
    private static readonly NnFixture Model = NnFixture.Load("nn-classifier.json");

    [Fact]
    public void Linear_matches_torch()
    {
        var c = Layers["cases/linear"];
        CheckLayer(new Linear(c.Int("config/in_features"), c.Int("config/out_features"), new Rng(0)), c, TorchStateNames.Same);
    }

    [Fact]
    public void LayerNorm_matches_torch()
    {
        var c = Layers["cases/layer_norm"];
        CheckLayer(new LayerNorm(c.Int("config/features"), (float)c.Number("config/eps")), c, TorchStateNames.Same);
    }

    [Theory]
    [InlineData("attention")]
    [InlineData("attention_masked")]
    public void Self_attention_matches_torch(string name)
    {
        var c = Layers["cases/" + name];
        CheckLayer(new MultiHeadSelfAttention(c.Int("config/dimension"), c.Int("config/heads"), new Rng(0)), c, TorchStateNames.Attention);
    }

    [Fact]
    public void Feed_forward_with_exact_gelu_matches_torch()
    {
        var c = Layers["cases/feed_forward"];
        CheckLayer(new FeedForward(c.Int("config/dimension"), c.Int("config/hidden"), new Rng(0)), c, TorchStateNames.FeedForward);
    }

    [Theory]
    [InlineData("encoder_layer")]
    [InlineData("encoder_layer_masked")]
    public void Post_norm_encoder_layer_matches_torch_ref(string name)
    {
        var c = Layers["cases/" + name];
        var layer = new TransformerEncoderLayer(c.Int("config/dimension"), c.Int("config/heads"), c.Int("config/feed_forward"), new Rng(0));
        CheckLayer(layer, c, TorchStateNames.EncoderLayer);
    }

    [Theory]
    [InlineData("full_length")]
    [InlineData("padded")]
    public void Classifier_logits_loss_and_every_gradient_match_torch(string name)
    {
        var model = TransformerClassifier.Create(vocab: Model.Int("config/vocab"), dModel: Model.Int("config/d_model"), layers: Model.Int("config/n_layers"),
            heads: Model.Int("config/n_heads"), ff: Model.Int("config/d_ff"), classes: Model.Int("config/n_classes"), maxLength: Model.Int("config/seq_len"));
        model.LoadState(Model.State("params", TorchStateNames.Classifier));
        model.To(Device);
        var c = Model["cases/" + name];
        var mask = c["tensors"].Has("mask") ? c.Tensor("tensors/mask").To(Device) : null;

        var logits = model.Forward(c.Ints("ints/ids"), mask);
        Assert.Same(Device, logits.Device);
        var loss = Losses.CrossEntropy(logits, c.Ints("ints/labels"));
        loss.Backward();

        var worst = NnAssert.Close(logits, c.Tensor("tensors/logits"), LayerTolerance, Floor(c), "logits")
            .Max(NnAssert.Close(loss, c.Tensor("tensors/loss"), LayerTolerance, Floor(c), "loss"));
        output.WriteLine($"classifier ({name}) logits and loss: {worst}");
        CheckGradients(model, Model["params"], c["grads"], TorchStateNames.Classifier, ModelTolerance, Floor(c), $"classifier ({name})");
    }

    [Fact]
    public void Anchor_model_has_the_parameter_count_of_torch_ref()
    {
        var model = TransformerClassifier.Create(vocab: 1000, dModel: 256, layers: 4, heads: 4, ff: 1024, classes: 2, maxLength: 64);
        Assert.Equal(3_431_938, Model.Int("anchor/parameters")); // what PyTorch counted when writing the fixture
        Assert.Equal(3_431_938L, model.ParameterCount);
        Assert.Equal(3_431_938L, model.TrainableParameterCount);
    }

    /// <summary>Loads the case's weights into <paramref name="layer"/>, runs it on x (with the padding mask, if any), backpropagates (out · R).sum() and compares.</summary>
    private void CheckLayer(Layer layer, NnFixture c, TorchStateNames names)
    {
        layer.LoadState(c.State("params", names));
        layer.To(Device);
        var x = c.Tensor("tensors/x").To(Device);
        x.RequiresGrad = true;
        var mask = c["tensors"].Has("mask") ? c.Tensor("tensors/mask").To(Device) : null;
        Tensor result;
        using (ForwardContext.Begin(mask))
            result = layer.Forward(x);
        Assert.Same(Device, result.Device);
        result.Mul(c.Tensor("tensors/r").To(Device)).Sum().Backward();

        var worst = NnAssert.Close(result, c.Tensor("tensors/out"), LayerTolerance, Floor(c), "output")
            .Max(NnAssert.Close(x.Grad, c.Tensor("grads/x"), LayerTolerance, Floor(c), "input gradient"));
        var label = $"{layer.GetType().Name}{(mask is null ? "" : " (masked)")}";
        output.WriteLine($"{label} output and input gradient: {worst}; floor {Floor(c):G2}");
        CheckGradients(layer, c["params"], c["grads"], names, LayerTolerance, Floor(c), label);
    }

    /// <summary>Compares the gradient of every parameter of the PyTorch state dict <paramref name="parameters"/> with ours.</summary>
    private void CheckGradients(Module module, NnFixture parameters, NnFixture gradients, TorchStateNames names, double tolerance, double floor, string label)
    {
        var state = module.State();
        var worst = new NnAssert.Deviation(0, 0);
        foreach (var torchName in parameters.Keys(""))
        {
            var path = names.ToModular(torchName);
            worst = worst.Max(NnAssert.Close(state[path].Grad, gradients.Tensor(torchName), tolerance, floor, $"gradient of {path}"));
        }
        output.WriteLine($"{label} parameter gradients: {worst}");
    }
}
