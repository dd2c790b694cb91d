using Modular.Computation;
using Modular.NN;
using Modular.Optim;
using Modular.Tests.Support;
using Modular.Training;

namespace Modular.Tests.Training;

/// <summary>Post-hoc adaptation: the base stays frozen and only the chosen modules and the head train.</summary>
public sealed class PostHocAdaptationTests
{
    [Fact]
    public void Only_the_chosen_module_and_the_head_train_and_everything_else_is_bit_for_bit_unchanged()
    {
        var classifier = TransformerClassifier.Create(TinyTasks.Vocabulary, dModel: 16, layers: 2, heads: 2, ff: 32, classes: 2, maxLength: TinyTasks.Length, seed: 1);
        var model = classifier.WithModules(seed: 2);
        model.Attach(new LoRA(rank: 2), "task").Attach(new BottleneckAdapter(reduction: 2), "unused");
        model.TrainOnly("task", "head");

        var expected = model.Get("task").Parameters.Concat(classifier.Head.Parameters()).ToHashSet();
        Assert.Equal(expected, classifier.TrainableParameters().ToHashSet());

        var before = ModuleValues.Snapshot(classifier);
        var result = new Trainer(model, new AdamW(0.02f), options: new TrainerOptions { Epochs = 5 })
            .Fit(TinyTasks.Make(64, TinyTasks.MostlyLow, seed: 3), TinyTasks.Make(64, TinyTasks.MostlyLow, seed: 4, shuffle: false));
        var changed = ModuleValues.Changed(before, ModuleValues.Snapshot(classifier));

        var trainablePaths = classifier.NamedParameters().Where(e => expected.Contains(e.Parameter)).Select(e => e.Path).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(trainablePaths, changed); // every trainable parameter moved, nothing else did
        Assert.Contains("head.weight", changed);
        Assert.All(changed, p => Assert.True(p.StartsWith("head.", StringComparison.Ordinal) || p.Contains(".modules.task.", StringComparison.Ordinal), p));
        Assert.True(result.FinalEvaluation!["accuracy"] > 0.75, result.FinalEvaluation.ToString());
    }

    [Fact]
    public void TrainOnly_names_what_it_could_not_find()
    {
        var model = TransformerClassifier.Create(TinyTasks.Vocabulary, 8, 1, 2, 16, 2, TinyTasks.Length).WithModules();
        model.Attach(new LoRA(rank: 2), "task");
        var error = Assert.Throws<ModulePathException>(() => model.TrainOnly("tsak"));
        Assert.Equal("TrainOnly: 'tsak' is neither an attached module (task) nor a pattern matching a layer of the base model that has parameters.", error.Message);
    }
}
