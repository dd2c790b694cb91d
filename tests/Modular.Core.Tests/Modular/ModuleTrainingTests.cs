using Modular.Aggregation;
using Modular.Computation;
using Modular.NN;
using Modular.Optim;
using Modular.Tensors;
using Xunit.Abstractions;

namespace Modular.Tests.Modular;

/// <summary>
/// Every module type learns on a small task with the base frozen: the loss falls, and the only values that change
/// are the trained module's parameters — the base model and a second, frozen module stay bit for bit the same.
/// </summary>
public sealed class ModuleTrainingTests(ITestOutputHelper output)
{
    private const int Steps = 30;

    [Theory]
    [MemberData(nameof(ModuleCases.Names), MemberType = typeof(ModuleCases))]
    public void Module_learns_and_nothing_else_changes(string name)
    {
        var model = ModuleCases.All[name].Build("trained");
        model.Attach("layers.*.feedForward.down", new LoRA(rank: 2), "bystander");
        Tiny.Randomize(model, "bystander");
        model.Active = new Stack("bystander", "trained");
        model.TrainOnly("trained");
        var trainedParameters = model.Base.NamedParameters().Where(e => model.Get("trained").OwnParameters.Contains(e.Parameter)).Select(e => e.Path).ToHashSet();
        var before = Tiny.Snapshot(model.Base);

        var (first, last) = Train(model, ModuleCases.All[name].LanguageModel);

        output.WriteLine($"{name}: loss {first:F4} → {last:F4}");
        Assert.True(last < 0.9 * first, $"{name}: the loss went from {first:F4} to {last:F4} in {Steps} steps.");
        var changed = Tiny.Changed(before, Tiny.Snapshot(model.Base));
        Assert.NotEmpty(changed);
        Assert.All(changed, path => Assert.Contains(path, trainedParameters));
        foreach (var sparse in model.Get("trained").Parts.Select(p => p.Module).OfType<SparseDeltaModule>())
            Assert.All(sparse.Delta.ToArray().Zip(sparse.Mask.ToArray()), e => Assert.True(e.Second == 1f || e.First == 0f, "a delta entry outside the mask changed"));
    }

    [Fact]
    public void Full_fine_tuning_trains_the_base_and_leaves_a_frozen_module_alone()
    {
        var model = Tiny.Classifier().WithModules()
            .Attach("layers.*.feedForward.down", new LoRA(rank: 2), "bystander")
            .Attach(new FullFineTuning(), "full");
        Tiny.Randomize(model, "bystander");
        model.TrainOnly("full");
        var before = Tiny.Snapshot(model.Base);

        var (first, last) = Train(model, languageModel: false);

        Assert.True(last < 0.5 * first, $"full fine-tuning: the loss went from {first:F4} to {last:F4}.");
        var changed = Tiny.Changed(before, Tiny.Snapshot(model.Base));
        Assert.Contains("layers.0.attention.query.weight", changed);
        Assert.DoesNotContain(changed, path => path.Contains(".modules.bystander.", StringComparison.Ordinal));
    }

    /// <summary>Adam on one fixed batch (classification, or reconstructing the tokens for the language model); the first and last losses.</summary>
    private static (float First, float Last) Train(ModularModel model, bool languageModel)
    {
        var (ids, mask, labels, metadata) = Tiny.Data();
        var optimizer = new Adam(lr: 2e-2f, parameters: model.Base.TrainableParameters());
        float first = 0, last = 0;
        for (int step = 0; step < Steps; step++)
        {
            using var scope = TensorScope.Begin();
            var outputs = model.Forward(ids, mask, metadata);
            var loss = languageModel
                ? Losses.CrossEntropy(outputs.Reshape(-1, Tiny.Vocabulary), IntTensor.FromArray(ids.ToArray()))
                : Losses.CrossEntropy(outputs, labels);
            loss.Backward();
            optimizer.Step();
            optimizer.ZeroGrad();
            last = loss.Item();
            if (step == 0) first = last;
        }
        return (first, last);
    }
}
