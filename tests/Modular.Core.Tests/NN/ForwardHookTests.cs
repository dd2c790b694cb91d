using Modular.NN;
using Modular.Tensors;

namespace Modular.Tests.NN;

/// <summary>Hooks that transform a module's output, and their registration as children.</summary>
public sealed class ForwardHookTests
{
    /// <summary>A learned hook: multiplies the output by a learned scalar, so it is a module with a parameter.</summary>
    private sealed class Scale : Module, IForwardHook
    {
        public Scale(float factor) => Factor = AddParameter("factor", Tensor.Full(factor, 1));

        public Parameter Factor { get; }

        public Tensor OnForward(Module module, Tensor input, Tensor output) => output.Mul(Factor);
    }

    /// <summary>A plain hook: adds a constant and records which module it saw.</summary>
    private sealed class Shift(float amount) : IForwardHook
    {
        public List<Module> Seen { get; } = [];

        public Tensor OnForward(Module module, Tensor input, Tensor output)
        {
            Seen.Add(module);
            return output.Add(amount);
        }
    }

    private static readonly Tensor Input = Tensor.FromArray(new[] { 1f, -2f, 0.5f }, 1, 3);

    [Fact]
    public void Hooks_transform_the_output_in_the_order_they_were_added()
    {
        var linear = new Linear(3, 2, new Rng(1));
        var plain = linear.Forward(Input).ToArray();
        var shift = new Shift(1f);
        linear.AddHook("shift", shift);
        linear.AddHook("scale", new Scale(3f));
        Assert.Equal(plain.Select(v => (v + 1f) * 3f), linear.Forward(Input).ToArray());
        Assert.Same(linear, Assert.Single(shift.Seen));
    }

    [Fact]
    public void A_module_hook_becomes_a_child_with_trainable_parameters_under_the_modules_path()
    {
        var model = TransformerClassifier.Create(vocab: 20, dModel: 8, layers: 1, heads: 2, ff: 16, classes: 3, maxLength: 6);
        long before = model.ParameterCount;
        var scale = new Scale(2f);
        model.Get("layers.0.attention.value").AddHook("scale", scale);

        Assert.Same(scale, model.Get("layers.0.attention.value.scale"));
        Assert.Equal("layers.0.attention.value.scale.factor", scale.Factor.Name);
        Assert.Equal(before + 1, model.ParameterCount);
        Assert.Contains(model.MatchParameters("**.scale.factor"), e => ReferenceEquals(e.Parameter, scale.Factor));

        var loss = model.Forward(IntTensor.FromArray(new[] { 1, 2, 3, 4, 5, 6 }, 1, 6)).Sum();
        loss.Backward();
        Assert.NotNull(scale.Factor.Grad);
    }

    [Fact]
    public void Removing_a_hook_restores_the_output_and_drops_its_child()
    {
        var linear = new Linear(3, 2, new Rng(1));
        var plain = linear.Forward(Input).ToArray();
        var scale = new Scale(3f);
        linear.AddHook("scale", scale);
        Assert.True(linear.RemoveHook("scale"));
        Assert.Equal(plain, linear.Forward(Input).ToArray());
        Assert.Empty(linear.Children);
        Assert.Equal(8, linear.ParameterCount);
        Assert.Equal("", scale.Path); // a root again: its parameter is named relative to itself
        Assert.Equal("factor", scale.Factor.Name);
        Assert.False(linear.RemoveHook("scale"));
    }

    [Fact]
    public void Removing_a_plain_hook_leaves_a_child_of_the_same_name_in_place()
    {
        var sequential = new Sequential(new Linear(3, 3, new Rng(1)), new Linear(3, 2, new Rng(2)));
        sequential.AddHook("1", new Shift(1f)); // hook names are their own namespace unless the hook is a module
        Assert.True(sequential.RemoveHook("1"));
        Assert.Equal(2, sequential.Children.Count);
        Assert.Equal(2, sequential.Forward(Input).Size(-1));
    }

    [Fact]
    public void Duplicate_hook_names_and_clashing_module_hooks_are_rejected()
    {
        var linear = new Linear(3, 2, new Rng(1));
        linear.AddHook("shift", new Shift(1f));
        Assert.Throws<ModulePathException>(() => linear.AddHook("shift", new Shift(2f)));
        var e = Assert.Throws<ModulePathException>(() => linear.AddHook("weight", new Scale(1f)));
        Assert.Contains("already has a child or parameter named 'weight'", e.Message, StringComparison.Ordinal);
        Assert.Single(linear.Hooks);
    }
}
