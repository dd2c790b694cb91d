using Modular.Aggregation;
using Modular.Computation;
using Modular.Routing;

namespace Modular.Tests.Modular;

/// <summary>Folding parameter-composition modules into the base weights and taking them out again.</summary>
public sealed class MergingTests
{
    public static TheoryData<string> Mergeable => ["lora", "ia3", "bitfit", "sparse fine-tuning, random mask", "weight delta"];

    [Theory]
    [MemberData(nameof(Mergeable))]
    public void Merging_keeps_the_outputs_and_unmerging_restores_the_base_weights(string name)
    {
        var model = ModuleCases.All[name].Build();
        Tiny.Randomize(model, "module");
        var (ids, mask, _, _) = Tiny.Data();
        var withModule = Tiny.Outputs(model, ids, mask);
        model.Active = null;
        var baseWeights = Tiny.Snapshot(model.Base);
        model.Active = "module";

        Assert.All(model.Get("module").OwnParameters, p => Assert.True(p.Trainable));
        model.Merge("module");

        Assert.True(model.Get("module").IsMerged);
        Assert.All(model.Get("module").OwnParameters, p => Assert.False(p.Trainable));
        Assert.All(model.Get("module").Parts, p => Assert.Null(p.Site.Find("module")));   // the base weights now do its work
        AssertClose(withModule, Tiny.Outputs(model, ids, mask), 1e-5);

        model.Unmerge("module");

        var restored = Tiny.Snapshot(model.Base);
        Assert.All(model.Get("module").OwnParameters, p => Assert.True(p.Trainable)); // trainable again, as before the merge
        foreach (var (path, values) in baseWeights)
            AssertClose(values, restored[path], 1e-6);
        AssertClose(withModule, Tiny.Outputs(model, ids, mask), 1e-5);
    }

    [Fact]
    public void Ia3_on_the_feed_forward_activation_merges_into_the_down_projection_s_columns()
    {
        var model = Tiny.Classifier().WithModules().Attach("layers.0.feedForward.activation", new IA3(), "scales");
        Tiny.Randomize(model, "scales");
        var scale = ((RescaleModule)model.Get("scales").Parts[0].Module).Scale.ToArray();
        var down = model.Base.Get<global::Modular.NN.Linear>("layers.0.feedForward.down").Weight;
        var before = down.ToArray();

        model.Merge("scales");

        var after = down.ToArray();
        int hidden = scale.Length;
        for (int i = 0; i < after.Length; i++) Assert.Equal(before[i] * scale[i % hidden], after[i], 1e-6f);
    }

    [Fact]
    public void A_merged_module_in_a_stack_is_skipped_while_the_others_still_run()
    {
        var model = Tiny.Classifier().WithModules()
            .Attach("layers.0.attention.query", new LoRA(rank: 2), "a")
            .Attach("layers.1.feedForward", new BottleneckAdapter(reduction: 4), "b");
        Tiny.Randomize(model, "a", seed: 1);
        Tiny.Randomize(model, "b", seed: 2);
        model.Active = new Stack("a", "b");
        var (ids, mask, _, _) = Tiny.Data();
        var stacked = Tiny.Outputs(model, ids, mask);

        model.Merge("a");

        Assert.Equal("Stack(a, b)", model.Active.ToString());
        AssertClose(stacked, Tiny.Outputs(model, ids, mask), 1e-5);
    }

    [Fact]
    public void A_module_that_is_routed_per_example_cannot_be_merged()
    {
        var model = Tiny.Classifier().WithModules().Attach(new LoRA(rank: 2), "a").Attach(new LoRA(rank: 2), "b");
        model.Active = new Select("task", "a", "b");

        var error = Assert.Throws<ConfigurationException>(() => model.Merge("a"));

        Assert.Equal("Module 'a' cannot be merged while the active composition Select(task: 0 → a, 1 → b) routes or weights it: merged into the base weights it would act on every example. Set Active to a composition without it first.", error.Message);
        Assert.False(model.Get("a").IsMerged);
    }

    [Fact]
    public void A_merged_module_cannot_be_routed_to()
    {
        var model = Tiny.Classifier().WithModules().Attach(new LoRA(rank: 2), "a").Attach(new LoRA(rank: 2), "b");
        model.Merge("a");

        var error = Assert.Throws<ConfigurationException>(() => model.Active = new Select("task", "a", "b"));

        Assert.Contains("routes or weights 'a', which is merged into the base weights", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_adapter_cannot_be_merged()
    {
        var model = Tiny.Classifier().WithModules().Attach(new BottleneckAdapter(), "adapter");

        var error = Assert.Throws<ConfigurationException>(() => model.Merge("adapter"));

        Assert.Equal("Module 'adapter' (Bottleneck adapter (Pfeiffer)) cannot be merged: Bottleneck adapter (Pfeiffer) at 'layers.0.feedForward' is not a parameter-composition module.", error.Message);
    }

    [Fact]
    public void Ia3_with_a_zero_scale_cannot_be_unmerged()
    {
        var model = Tiny.Classifier().WithModules().Attach("layers.0.attention.key", new IA3(), "scales");
        ((RescaleModule)model.Get("scales").Parts[0].Module).Scale.Span[3] = 0f;
        model.Merge("scales");

        var error = Assert.Throws<ConfigurationException>(() => model.Unmerge("scales"));

        Assert.StartsWith("(IA)³ at 'layers.0.attention.key' cannot be unmerged: its scale has zero entries", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Removing_a_merged_module_unmerges_it_first()
    {
        var model = Tiny.Classifier().WithModules();
        var baseWeights = Tiny.Snapshot(model.Base);
        model.Attach(new LoRA(rank: 2), "a");
        Tiny.Randomize(model, "a");
        model.Merge("a");

        model.Remove("a");

        var restored = Tiny.Snapshot(model.Base);
        Assert.Equal(baseWeights.Keys.Order(StringComparer.Ordinal), restored.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, values) in baseWeights) AssertClose(values, restored[path], 1e-6);
    }

    /// <summary>|a − e| ≤ tolerance · max|e| everywhere.</summary>
    private static void AssertClose(float[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(expected.Max(v => Math.Abs(v)), 1e-30);
        double worst = expected.Zip(actual).Max(p => Math.Abs(p.First - (double)p.Second)) / scale;
        Assert.True(worst <= tolerance, $"values differ by {worst:E2} of their largest magnitude (allowed {tolerance:E0}).");
    }

    [Fact]
    public void Unmerging_leaves_a_module_that_was_frozen_before_the_merge_frozen()
    {
        var model = ModuleCases.All["lora"].Build();
        var own = model.Get("module").OwnParameters.ToList();
        own[0].Trainable = false;

        model.Merge("module").Unmerge("module");

        Assert.False(own[0].Trainable);
        Assert.All(own.Skip(1), p => Assert.True(p.Trainable));
    }
}
