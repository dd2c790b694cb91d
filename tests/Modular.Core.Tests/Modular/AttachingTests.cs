using Modular.Aggregation;
using Modular.Computation;
using Modular.NN;
using Modular.Tensors;
using Modular.Tensors.Autograd;

namespace Modular.Tests.Modular;

/// <summary>Attaching modules by path pattern, several side by side, choosing the active ones, freezing, and removing them.</summary>
public sealed class AttachingTests
{
    [Fact]
    public void A_pattern_that_matches_nothing_is_a_readable_path_error()
    {
        var model = Tiny.Classifier().WithModules();

        var error = Assert.Throws<ModulePathException>(() => model.Attach("layers.*.attention.qurey", new LoRA(), "typo"));

        Assert.Equal("Attaching LoRA 'typo': the pattern 'layers.*.attention.qurey' matches no layer. Layers look like: embeddings, embeddings.tokens, layers, layers.0, layers.0.attention, layers.0.attention.query, layers.0.attention.key, layers.0.attention.value.", error.Message);
        Assert.Empty(model.Modules);
    }

    [Fact]
    public void A_pattern_that_matches_layers_of_the_wrong_kind_names_them_and_why()
    {
        var model = Tiny.Classifier().WithModules();

        var error = Assert.Throws<ModulePathException>(() => model.Attach("layers.*.attention", new LoRA(), "wrong"));

        Assert.Equal("Attaching LoRA 'wrong': the pattern 'layers.*.attention' matches layers of the wrong kind: 'layers.0.attention': LoRA attaches to Linear layers; this is a MultiHeadSelfAttention; 'layers.1.attention': LoRA attaches to Linear layers; this is a MultiHeadSelfAttention.", error.Message);
        Assert.Empty(model.Modules);
        Assert.Empty(model.Sites);
    }

    [Fact]
    public void Layers_inside_attached_modules_are_never_hosts()
    {
        var model = Tiny.Classifier().WithModules().Attach(new BottleneckAdapter(reduction: 4), "adapter");

        model.Attach("**.down", new LoRA(rank: 2), "lora");

        Assert.Equal(["layers.0.feedForward.down", "layers.1.feedForward.down"], model.Get("lora").Parts.Select(p => p.Site.HostPath));
    }

    [Fact]
    public void A_second_module_of_the_same_name_is_refused()
    {
        var model = Tiny.Classifier().WithModules().Attach(new LoRA(), "task");

        var error = Assert.Throws<ConfigurationException>(() => model.Attach(new IA3(), "task"));

        Assert.Equal("A module named 'task' is already attached (LoRA); remove it first or choose another name.", error.Message);
    }

    [Fact]
    public void Modules_side_by_side_run_as_the_active_composition_says()
    {
        var layer = new TransformerEncoderLayer(8, 2, 16, new Rng(1));
        var model = layer.WithModules()
            .Attach("attention.query", new LoRA(rank: 2), "a")
            .Attach("attention.query", new LoRA(rank: 2), "b");
        Tiny.Randomize(model, "a", seed: 1);
        Tiny.Randomize(model, "b", seed: 2);
        using var x = Tensor.Randn(new Rng(3), 2, 8);
        float[] Query() { using var noGrad = GradMode.NoGrad(); return layer.Attention.Query.Forward(x).ToArray(); }

        Assert.Equal("a", model.Active!.ToString());   // the first module attached becomes active
        var withA = Query();
        model.Active = "b";
        var withB = Query();
        model.Active = new Stack("a", "b");
        var withBoth = Query();
        model.Active = null;
        var alone = Query();

        Assert.NotEqual(withA, alone);
        Assert.NotEqual(withB, alone);
        for (int i = 0; i < alone.Length; i++)   // LoRA updates add up when stacked
            Assert.Equal(withA[i] - alone[i] + (withB[i] - alone[i]), withBoth[i] - alone[i], 1e-5f);
    }

    [Fact]
    public void Activating_an_unknown_module_lists_the_attached_ones()
    {
        var model = Tiny.Classifier().WithModules().Attach(new LoRA(), "sentiment").Attach(new IA3(), "topic");

        var error = Assert.Throws<ConfigurationException>(() => model.Active = new Stack("sentiment", "language"));

        Assert.Equal("The composition Stack(sentiment, language) names 'language', which is not attached. Attached modules: sentiment, topic.", error.Message);
    }

    [Fact]
    public void Train_only_freezes_the_base_and_the_other_modules()
    {
        var model = Tiny.Classifier().WithModules().Attach(new LoRA(rank: 2), "a").Attach(new IA3(), "b");

        model.TrainOnly("a", "head");

        var trainable = model.Base.NamedParameters().Where(e => e.Parameter.Trainable).Select(e => e.Path).Order(StringComparer.Ordinal);
        var expected = model.Base.NamedParameters().Where(e => model.Get("a").OwnParameters.Contains(e.Parameter)).Select(e => e.Path).Concat(["head.weight", "head.bias"]);
        Assert.Equal(expected.Order(StringComparer.Ordinal), trainable);
        Assert.Equal(2 * 2 * (2 * 16 + 16 * 2) + 2 * 16 + 2, model.Base.TrainableParameterCount);
    }

    [Fact]
    public void Train_only_with_an_unknown_name_says_what_it_expected()
    {
        var model = Tiny.Classifier().WithModules().Attach(new LoRA(), "a");

        var error = Assert.Throws<ModulePathException>(() => model.TrainOnly("b"));

        Assert.Equal("TrainOnly: 'b' is neither an attached module (a) nor a pattern matching a layer of the base model that has parameters.", error.Message);
    }

    [Fact]
    public void Removing_a_module_restores_the_base_model_bit_for_bit()
    {
        var model = Tiny.Classifier().WithModules();
        var (ids, mask, _, _) = Tiny.Data();
        var state = Tiny.Snapshot(model.Base);
        var outputs = Tiny.Outputs(model, ids, mask);
        model.Attach(new LoRA(rank: 2), "a").Attach(new PromptTuning(tokens: 2), "b");
        model.Active = new Stack("a", "b");
        Tiny.Randomize(model, "a");
        Assert.NotEqual(outputs, Tiny.Outputs(model, ids, mask));

        model.Remove("a").Remove("b");

        Assert.Empty(Tiny.Changed(state, Tiny.Snapshot(model.Base)));
        Assert.True(Tiny.SameBits(outputs, Tiny.Outputs(model, ids, mask)));
        Assert.Empty(model.Sites);
        Assert.Null(model.Active);
        Assert.DoesNotContain(model.Base.NamedModules(), e => e.Path.Contains(Site.HookName, StringComparison.Ordinal));
    }
}
