using Modular.Aggregation;
using Modular.Computation;
using Modular.Optim;
using Modular.Routing;
using Modular.Tensors;
using Modular.Training;

namespace Modular.Tests.Modular;

/// <summary>Ways to misuse a modular model that used to be accepted silently: a module composed twice, Remove after full fine-tuning, a merged module shown as active.</summary>
public class MisuseTests
{
    [Fact]
    public void A_composition_that_applies_the_same_module_twice_is_refused_naming_the_module()
    {
        var model = Tiny.Classifier().WithModules().Attach(new LoRA(rank: 2), "lora").Attach(new LoRA(rank: 2), "other");

        var twice = Assert.Throws<ConfigurationException>(() => model.Active = new Stack("lora", "lora"));
        var nested = Assert.Throws<ConfigurationException>(() => model.Active = new Stack("lora", new Stack("other", "lora")));

        Assert.Equal("Stack(lora, lora) applies the module 'lora' 2 times to the same input; a composition uses each module once. Attach another module under a second name to apply two.", twice.Message);
        Assert.Contains("applies the module 'lora' 2 times", nested.Message, StringComparison.Ordinal);
        model.Active = new Stack("lora", "other");   // two different modules stack
    }

    [Fact]
    public void The_same_module_in_alternatives_of_a_select_is_not_a_repetition()
    {
        var model = Tiny.Classifier().WithModules().Attach(new LoRA(rank: 2), "de").Attach(new LoRA(rank: 2), "en").Attach(new LoRA(rank: 2), "task");

        model.Active = new Select("task", new Stack("de", "task"), new Stack("en", "task"));

        Assert.Equal(3, model.Active.Names.Distinct().Count());
    }

    [Fact]
    public void Remove_after_full_fine_tuning_restores_the_base_bit_for_bit()
    {
        var model = Tiny.Classifier().WithModules().Attach(new FullFineTuning(), "full");
        var before = Tiny.Snapshot(model.Base);
        var (ids, _, labels, _) = Tiny.Data();
        var data = new SequenceDataset([.. Enumerable.Range(0, Tiny.Batch).Select(b => ids.ToArray()[(b * Tiny.Length)..((b + 1) * Tiny.Length)])], labels.ToArray(), batchSize: 4);
        new Trainer(model, new AdamW(1e-2f), options: new TrainerOptions { Epochs = 2 }).Fit(data);
        Assert.NotEmpty(Tiny.Changed(before, Tiny.Snapshot(model.Base)));   // training changed the base itself

        model.Remove("full");

        Assert.Empty(Tiny.Changed(before, Tiny.Snapshot(model.Base)));
    }

    [Fact]
    public void After_merge_the_printout_shows_the_module_merged_and_its_parameters_no_longer_train()
    {
        var model = Tiny.Classifier().WithModules().Attach(new LoRA(rank: 2), "sentiment").TrainOnly("sentiment", "head");
        long headParameters = model.Base.Get("head").ParameterCount;
        Assert.Contains("(sentiment: LoRA); active: sentiment", model.ToString(), StringComparison.Ordinal);

        model.Merge("sentiment");

        Assert.Contains("(sentiment: LoRA, merged);", model.ToString(), StringComparison.Ordinal);
        Assert.Contains($" {headParameters:N0} of ", model.ToString(), StringComparison.Ordinal);   // only the head still trains
        Assert.EndsWith(", merged into the base", model.Get("sentiment").ToString(), StringComparison.Ordinal);
        Assert.All(model.Get("sentiment").OwnParameters, p => Assert.False(p.Trainable));
        Assert.Contains("merged", model.Summarize().Title, StringComparison.Ordinal);
    }
}
