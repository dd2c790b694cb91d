using Modular.Aggregation;
using Modular.Computation;
using Modular.NN;
using Modular.Tensors;
using Modular.Tests.Support;

namespace Modular.Tests.Aggregation;

/// <summary>
/// Function and representation aggregation blocks against their formulas, written out by hand on a two-layer network
/// with adapters "a" and "b" after the first layer (h = L0(x), output L1(·)).
/// </summary>
public sealed class CompositionBlockTests
{
    private readonly Sequential net = new(new Linear(4, 6, new Rng(1)), new Linear(6, 3, new Rng(2)));
    private readonly ModularModel model;
    private readonly Tensor x = Tensor.Randn(new Rng(3), 5, 4);

    public CompositionBlockTests()
    {
        model = net.WithModules(seed: 4);
        foreach (var name in new[] { "a", "b", "c" }) model.Attach("0", new BottleneckAdapter(reduction: 2), name);
        ModuleValues.Randomize(net, new Rng(5));
    }

    /// <summary>L0(x), computed without the site's modules.</summary>
    private Tensor Hidden()
    {
        var linear = (Linear)net.Layers[0];
        return x.Linear(linear.Weight, linear.Bias);
    }

    private Tensor Module(string name, Tensor h) => model.Sites["0"].Find(name)!.Apply(x, h);

    private Tensor Head(Tensor h) => net.Layers[1].Forward(h);

    private Tensor Run(Block block)
    {
        model.Active = block;
        return net.Forward(x);
    }

    [Fact]
    public void Stack_feeds_each_modules_output_to_the_next()
    {
        var h = Hidden();
        var expected = Head(Module("b", Module("a", h)));
        Assert.Equal(expected.ToArray(), Run(new Stack("a", "b")).ToArray());
        // order matters: b(a(h)) ≠ a(b(h))
        Assert.NotEqual(expected.ToArray(), Run(new Stack("b", "a")).ToArray());
    }

    [Fact]
    public void Sum_adds_each_modules_change_to_the_shared_input()
    {
        var h = Hidden();
        var expected = Head(h.Add(Module("a", h).Sub(h)).Add(Module("b", h).Sub(h)));
        NnAssert.Close(Run(new Sum("a", "b")), expected, 1e-6, 1e-6, "Sum(a, b)");
    }

    [Fact]
    public void Average_weights_the_modules_outputs_by_normalised_weights()
    {
        var h = Hidden();
        var expected = Head(Module("a", h).Mul(0.25f).Add(Module("b", h).Mul(0.75f)));
        var average = new Average([1f, 3f], "a", "b");
        Assert.Equal([0.25f, 0.75f], average.Weights);
        NnAssert.Close(Run(average), expected, 1e-6, 1e-6, "Average(¼ a, ¾ b)");
        NnAssert.Close(Run(new Average("a", "b")), Head(Module("a", h).Add(Module("b", h)).Mul(0.5f)), 1e-6, 1e-6, "equal weights");
    }

    [Fact]
    public void Blocks_nest_as_written()
    {
        var h = Hidden();
        var stacked = Module("b", Module("a", h));
        var expected = Head(stacked.Mul(0.5f).Add(Module("c", h).Mul(0.5f)));
        NnAssert.Close(Run(new Average(new Stack("a", "b"), "c")), expected, 1e-6, 1e-6, "Average(Stack(a, b), c)");
    }

    [Fact]
    public void Stacked_lora_modules_add_their_weight_changes()
    {
        var lora = new Sequential(new Linear(4, 3, new Rng(6))).WithModules(seed: 7);
        lora.Attach("0", new LoRA(rank: 2), "p").Attach("0", new LoRA(rank: 2), "q");
        ModuleValues.Randomize(lora.Base, new Rng(8));
        var linear = (Linear)((Sequential)lora.Base).Layers[0];
        var weight = linear.Weight.Add(lora.Get("p").Parts[0].Module.WeightDelta()!).Add(lora.Get("q").Parts[0].Module.WeightDelta()!);
        lora.Active = new Stack("p", "q");
        NnAssert.Close(((Sequential)lora.Base).Forward(x), x.Linear(weight, linear.Bias), 1e-5, 1e-6, "W + ΔW_p + ΔW_q");
    }

    [Fact]
    public void Average_rejects_weights_that_do_not_fit()
    {
        Assert.Contains("2 weights for 3 blocks", Assert.Throws<ConfigurationException>(() => new Average([1f, 2f], "a", "b", "c")).Message, StringComparison.Ordinal);
        Assert.Contains("must be ≥ 0 with a positive sum", Assert.Throws<ConfigurationException>(() => new Average([1f, -1f], "a", "b")).Message, StringComparison.Ordinal);
        Assert.Contains("at least two blocks", Assert.Throws<ConfigurationException>(() => new Average("a")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_nestings_are_rejected_with_the_allowed_children()
    {
        var error = Assert.Throws<ConfigurationException>(() => model.Active = new Fuse(new Sum("a", "b"), "c"));
        Assert.Equal("Fuse cannot contain Sum (Sum(a, b)); allowed inside Fuse: Use, Stack.", error.Message);
        // found however deep it is nested
        var deep = Assert.Throws<ConfigurationException>(() => model.Active = new Stack("c", new Fuse("a", new Average("a", "b"))));
        Assert.Contains("Fuse cannot contain Average", deep.Message, StringComparison.Ordinal);
        Assert.Contains("allowed inside Fuse: Use, Stack", deep.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_composition_naming_a_module_that_is_not_attached_lists_the_attached_ones()
    {
        var error = Assert.Throws<ConfigurationException>(() => model.Active = new Stack("a", "z"));
        Assert.Equal("The composition Stack(a, z) names 'z', which is not attached. Attached modules: a, b, c.", error.Message);
    }
}
