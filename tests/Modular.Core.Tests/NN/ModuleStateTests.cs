using Modular.NN;
using Modular.Tensors;

namespace Modular.Tests.NN;

/// <summary>Exporting and importing parameters by path.</summary>
public sealed class ModuleStateTests
{
    private static TransformerClassifier Model(int seed) => TransformerClassifier.Create(vocab: 20, dModel: 8, layers: 2, heads: 2, ff: 16, classes: 3, maxLength: 6, seed: seed);

    private static readonly IntTensor Ids = IntTensor.FromArray(new[] { 1, 5, 7, 2, 0, 3, 19, 4, 4, 8, 11, 6 }, 2, 6);

    [Fact]
    public void Loading_one_models_state_into_another_reproduces_its_outputs()
    {
        var source = Model(seed: 1);
        var target = Model(seed: 2);
        Assert.NotEqual(source.Forward(Ids).ToArray(), target.Forward(Ids).ToArray());

        target.LoadState(source.State());
        Assert.Equal(source.Forward(Ids).ToArray(), target.Forward(Ids).ToArray());
    }

    [Fact]
    public void Loading_copies_values_rather_than_sharing_tensors()
    {
        var source = Model(seed: 1);
        var target = Model(seed: 2);
        target.LoadState(source.State());
        source.Head.Bias!.FillWith(5f);
        Assert.DoesNotContain(5f, target.Head.Bias!.ToArray());
    }

    [Fact]
    public void State_holds_every_parameter_by_path()
    {
        var model = Model(seed: 1);
        var state = model.State();
        Assert.Equal(model.NamedParameters().Select(e => e.Path), state.Keys);
        Assert.Same(model.Layers[1].FeedForward.Down.Weight, state["layers.1.feedForward.down.weight"]);
    }

    [Fact]
    public void Strict_loading_names_missing_and_unknown_paths()
    {
        var model = Model(seed: 1);
        var state = new Dictionary<string, Tensor>(Model(seed: 2).State());
        state.Remove("head.bias");
        state.Remove("layers.0.outputNorm.weight");
        state["head.scale"] = Tensor.Ones(3);
        var e = Assert.Throws<ModulePathException>(() => model.LoadState(state));
        Assert.Contains("missing layers.0.outputNorm.weight, head.bias", e.Message, StringComparison.Ordinal);
        Assert.Contains("unknown head.scale", e.Message, StringComparison.Ordinal);
        Assert.Contains("strict: false", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lenient_loading_takes_the_subset_it_knows_and_ignores_the_rest()
    {
        var model = Model(seed: 1);
        var before = model.Layers[0].Attention.Query.Weight.ToArray();
        var replacement = Tensor.Full(0.25f, 3, 8);
        model.LoadState(new Dictionary<string, Tensor> { ["head.weight"] = replacement, ["adapter.weight"] = Tensor.Ones(2) }, strict: false);
        Assert.Equal(replacement.ToArray(), model.Head.Weight.ToArray());
        Assert.Equal(before, model.Layers[0].Attention.Query.Weight.ToArray());
    }

    [Fact]
    public void A_shape_mismatch_names_the_path_and_leaves_the_model_untouched()
    {
        var model = Model(seed: 1);
        var headBefore = model.Head.Weight.ToArray();
        var state = new Dictionary<string, Tensor>(Model(seed: 2).State()) { ["layers.1.attention.key.bias"] = Tensor.Zeros(9) };
        var e = Assert.Throws<ShapeMismatchException>(() => model.LoadState(state));
        Assert.Contains("'layers.1.attention.key.bias'", e.Message, StringComparison.Ordinal);
        Assert.Contains("[9]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[8]", e.Message, StringComparison.Ordinal);
        Assert.Equal(headBefore, model.Head.Weight.ToArray()); // registered before the bad entry, still not overwritten
    }

    [Fact]
    public void A_submodule_loads_the_state_of_the_same_submodule_elsewhere()
    {
        var model = Model(seed: 1);
        model.Get("layers.1").LoadState(model.Get("layers.0").State());
        Assert.Equal(model.Layers[0].FeedForward.Up.Weight.ToArray(), model.Layers[1].FeedForward.Up.Weight.ToArray());
    }
}
