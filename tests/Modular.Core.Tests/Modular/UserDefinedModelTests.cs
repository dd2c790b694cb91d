using Modular.Aggregation;
using Modular.Computation;
using Modular.NN;
using Modular.Routing;
using Modular.Tensors;
using Modular.Tensors.Autograd;
using Modular.Tests.Support;

namespace Modular.Tests.Modular;

/// <summary>
/// Modules attach to any layer that speaks the host protocol, not only to the library's Transformer: a small residual
/// MLP written here, whose blocks tell their widths (<see cref="IHostLayer"/>) and which linear layer reads their
/// hidden activation (<see cref="IHiddenActivationBlock"/>), takes LoRA, bottleneck adapters, (IA)³ and a top-k mixture.
/// </summary>
public sealed class UserDefinedModelTests
{
    /// <summary>x + down(tanh(up(x))): a user's own residual block.</summary>
    private sealed class ResidualBlock : Layer, IHostLayer, IHiddenActivationBlock
    {
        public ResidualBlock(int width, int hidden, Rng rng)
        {
            Up = Add("up", new Linear(width, hidden, rng));
            Squash = Add("squash", new Activation(ActivationKind.Tanh, hidden));
            Down = Add("down", new Linear(hidden, width, rng));
            Width = width;
        }

        public Linear Up { get; }

        public Activation Squash { get; }

        public Linear Down { get; }

        public int Width { get; }

        int? IHostLayer.InputWidth => Width;

        int? IHostLayer.OutputWidth => Width;

        Activation IHiddenActivationBlock.HiddenActivation => Squash;

        Linear IHiddenActivationBlock.HiddenReader => Down;

        protected override Tensor Compute(Tensor input) => input.Add(Down.Forward(Squash.Forward(Up.Forward(input))));
    }

    /// <summary>A layer that does not tell its widths.</summary>
    private sealed class Opaque : Layer
    {
        protected override Tensor Compute(Tensor input) => input.Mul(2f);
    }

    private static (Sequential Net, ResidualBlock[] Blocks) Mlp()
    {
        var rng = new Rng(11);
        var blocks = new[] { new ResidualBlock(6, 8, rng), new ResidualBlock(6, 8, rng) };
        return (new Sequential(blocks[0], blocks[1], new Opaque()), blocks);
    }

    private static Tensor Input() => Tensor.Randn(new Rng(12), 5, 6);

    [Fact]
    public void LoRA_on_a_user_blocks_linear_layer_adds_scaled_B_A_x()
    {
        var (net, blocks) = Mlp();
        var model = net.WithModules(seed: 1).Attach("0.up", new LoRA(rank: 2, alpha: 4), "lora");
        var lora = (LoRAModule)model.Sites["0.up"].Inventory["lora"];
        ModuleValues.Randomize(lora, new Rng(13));
        var x = Input();

        var up = x.Linear(blocks[0].Up.Weight, blocks[0].Up.Bias).Add(x.MatMul(lora.A.Transpose(0, 1)).MatMul(lora.B.Transpose(0, 1)).Mul(4f / 2f));
        var first = x.Add(up.Tanh().Linear(blocks[0].Down.Weight, blocks[0].Down.Bias));
        var expected = blocks[1].Forward(first).Mul(2f);
        NnAssert.Close(net.Forward(x), expected, 1e-5, 1e-6, "LoRA in a user block");
    }

    [Fact]
    public void A_bottleneck_adapter_follows_a_user_block()
    {
        var (net, blocks) = Mlp();
        var model = net.WithModules(seed: 1).Attach("1", new BottleneckAdapter(reduction: 2), "adapter");
        var adapter = model.Sites["1"].Inventory["adapter"];
        ModuleValues.Randomize(adapter, new Rng(14));
        var x = Input();

        var hidden = blocks[0].Forward(x);
        var host = hidden.Add(blocks[1].Down.Forward(blocks[1].Squash.Forward(blocks[1].Up.Forward(hidden))));
        NnAssert.Close(net.Forward(x), adapter.Apply(hidden, host).Mul(2f), 1e-5, 1e-6, "adapter after a user block");
        Assert.NotEqual(host.Mul(2f).ToArray(), net.Forward(x).ToArray());
    }

    [Fact]
    public void IA3_on_a_user_blocks_activation_merges_into_the_layer_the_block_names()
    {
        var (net, _) = Mlp();
        var model = net.WithModules(seed: 1).Attach("*.squash", new IA3(), "ia3");
        foreach (var site in model.Sites.Values) ModuleValues.Randomize(site.Inventory["ia3"], new Rng(15));
        var x = Input();
        var modular = net.Forward(x).ToArray();
        model.Active = null;
        var plain = net.Forward(x).ToArray();
        model.Active = "ia3";

        model.Merge("ia3");
        NnAssert.Close(net.Forward(x), Tensor.FromArray(modular, 5, 6), 1e-5, 1e-6, "merged (IA)³");
        Assert.NotEqual(plain, modular);
    }

    [Fact]
    public void A_top2_mixture_of_adapters_routes_at_user_blocks_and_trains_its_routers()
    {
        var (net, _) = Mlp();
        var model = net.WithModules(seed: 1);
        foreach (var name in new[] { "e0", "e1", "e2" }) model.Attach("0|1", new BottleneckAdapter(reduction: 2), name);
        var rng = new Rng(16);
        foreach (var site in model.Sites.Values)
            foreach (var module in site.Inventory.Values) ModuleValues.Randomize(module, rng); // experts that differ
        var mixture = new Mixture(Routers.TopK(k: 2, balanceWeight: 0f, zLossWeight: 0f), ["e0", "e1", "e2"]);
        model.Active = mixture;
        Assert.Equal(2, mixture.RoutersOf(model).Count);

        var x = Input();
        net.Forward(x).Square().Sum().Backward();
        foreach (var router in mixture.RoutersOf(model))
            Assert.True(((TopKRouter)router).Gate.Weight.Grad!.ToArray().Max(Math.Abs) > 1e-4, "the router got no gradient");
    }

    [Fact]
    public void A_layer_that_does_not_tell_its_widths_gets_an_error_naming_the_protocol()
    {
        var (net, _) = Mlp();
        var model = net.WithModules(seed: 1);
        var e = Assert.Throws<ModulePathException>(() => model.Attach("2", new BottleneckAdapter(reduction: 2), "adapter"));
        Assert.Contains("'2'", e.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(IHostLayer), e.Message, StringComparison.Ordinal);
        Assert.Contains("Opaque", e.Message, StringComparison.Ordinal);
    }
}
