using Modular.Computation;
using Modular.NN;
using Modular.Optim;
using Modular.Tests.Support;
using Modular.Training;
using Xunit.Abstractions;

namespace Modular.Tests.Training;

/// <summary>
/// Continual learning: a module per task, earlier modules frozen. With nothing shared in training, earlier tasks
/// keep exactly their accuracy; with a shared head that keeps training, the forgetting shows in the report — and
/// the earlier modules' weights are bit-for-bit unchanged either way.
/// </summary>
public sealed class ContinualLearningTests(ITestOutputHelper output)
{
    private static readonly (string Name, Func<int[], int> Label)[] Sequence = [("low", TinyTasks.MostlyLow), ("high", TinyTasks.MostlyHigh)];

    private static ModularModel Model() =>
        TransformerClassifier.Create(TinyTasks.Vocabulary, dModel: 16, layers: 2, heads: 2, ff: 32, classes: 2, maxLength: TinyTasks.Length, seed: 4).WithModules(seed: 5);

    private List<ContinualLearningStep> LearnAll(ContinualLearning learner, ModularModel model, List<Dictionary<string, float[]>> moduleSnapshots)
    {
        var steps = new List<ContinualLearningStep>();
        for (int t = 0; t < Sequence.Length; t++)
        {
            var (name, label) = Sequence[t];
            var train = TinyTasks.Make(64, label, seed: 10 + t);
            var held = TinyTasks.Make(64, label, seed: 20 + t, shuffle: false);
            var step = learner.Learn(name, new BottleneckAdapter(reduction: 2), train, held);
            output.WriteLine($"{name}: accuracy {step.Training.FinalEvaluation!["accuracy"]:F3}; forgetting {string.Join(", ", step.Forgetting.Select(f => $"{f.Task} {f.Before:F3} → {f.After:F3}"))}");
            steps.Add(step);
            moduleSnapshots.Add(model.Get(name).Parameters.Select((p, i) => (p, i)).ToDictionary(e => e.i.ToString(System.Globalization.CultureInfo.InvariantCulture), e => e.p.ToArray()));
        }
        return steps;
    }

    private static void AssertEarlierModulesUnchanged(ModularModel model, List<Dictionary<string, float[]>> snapshots)
    {
        for (int t = 0; t < Sequence.Length; t++)
        {
            var now = model.Get(Sequence[t].Name).Parameters.Select((p, i) => (p, i)).ToDictionary(e => e.i.ToString(System.Globalization.CultureInfo.InvariantCulture), e => e.p.ToArray());
            Assert.Empty(ModuleValues.Changed(snapshots[t], now));
        }
    }

    [Fact]
    public void With_only_the_new_module_training_earlier_tasks_are_not_forgotten_at_all()
    {
        var model = Model();
        var baseBefore = ModuleValues.Snapshot(model.Base);
        var learner = new ContinualLearning(model, () => new AdamW(0.02f), new TrainerOptions { Epochs = 10 });
        var snapshots = new List<Dictionary<string, float[]>>();
        var steps = LearnAll(learner, model, snapshots);

        Assert.Equal(["low", "high"], learner.Tasks);
        Assert.Empty(steps[0].Forgetting);
        var forgetting = Assert.Single(steps[1].Forgetting);
        Assert.Equal("low", forgetting.Task);
        Assert.Equal(forgetting.Before, forgetting.After); // exactly
        Assert.Equal(0, steps[1].MeanForgetting);
        Assert.True(forgetting.Before > 0.75, $"the first task was not learned (accuracy {forgetting.Before:F3})");
        AssertEarlierModulesUnchanged(model, snapshots);
        // the base model is untouched too: only module parameters are new or changed
        Assert.Empty(ModuleValues.Changed(baseBefore, ModuleValues.Snapshot(model.Base).Where(e => baseBefore.ContainsKey(e.Key)).ToDictionary()));
    }

    [Fact]
    public void A_shared_head_that_keeps_training_shows_forgetting_while_earlier_modules_stay_frozen()
    {
        var model = Model();
        var learner = new ContinualLearning(model, () => new AdamW(0.02f), new TrainerOptions { Epochs = 10 }, alsoTrain: ["head"]);
        var snapshots = new List<Dictionary<string, float[]>>();
        var steps = LearnAll(learner, model, snapshots);

        var forgetting = Assert.Single(steps[1].Forgetting);
        // "high" has the opposite labels of "low": retraining the shared head for it costs "low" much of its accuracy
        Assert.True(forgetting.Before > 0.75, $"the first task was not learned (accuracy {forgetting.Before:F3})");
        Assert.True(forgetting.Forgetting > 0.2, $"forgetting {forgetting.Forgetting:F3}");
        Assert.Equal(forgetting.Forgetting, steps[1].MeanForgetting);
        AssertEarlierModulesUnchanged(model, snapshots);
    }
}
