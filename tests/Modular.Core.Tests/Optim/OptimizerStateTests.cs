using Modular.NN;
using Modular.Optim;
using Modular.Tensors;

namespace Modular.Tests.Optim;

/// <summary>Saving and restoring optimiser state resumes training exactly.</summary>
public sealed class OptimizerStateTests
{
    private static readonly Tensor X = Tensor.Randn(new Rng(5), 8, 4);
    private static readonly IntTensor Y = IntTensor.FromArray(new[] { 0, 1, 2, 1, 0, 2, 2, 1 });

    private static Sequential Model() => new(new Linear(4, 6, new Rng(1)), new Activation(ActivationKind.Gelu), new Linear(6, 3, new Rng(2)));

    private static void Train(Sequential model, Optimizer optimizer, int steps)
    {
        for (int i = 0; i < steps; i++)
        {
            Losses.CrossEntropy(model.Forward(X), Y).Backward();
            optimizer.Step();
            optimizer.ZeroGrad();
        }
    }

    public static TheoryData<string> Kinds => new("sgd", "adamw");

    private static Optimizer Create(string kind, Module model) => kind == "sgd"
        ? new Sgd(0.1f, momentum: 0.9f, nesterov: true, parameters: model.Parameters())
        : new AdamW(lr: 0.01f, parameters: model.Parameters()) { Schedule = LearningRateSchedule.WarmupCosine(2, 10) };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Resuming_from_saved_state_continues_exactly_as_uninterrupted_training(string kind)
    {
        var reference = Model();
        Train(reference, Create(kind, reference), steps: 5);

        var first = Model();
        var optimizer = Create(kind, first);
        Train(first, optimizer, steps: 2);
        var modelState = first.State().ToDictionary(e => e.Key, e => e.Value.Clone());
        var optimizerState = optimizer.State().ToDictionary(e => e.Key, e => e.Value.Clone());

        var resumed = Model();
        resumed.LoadState(modelState);
        var restored = Create(kind, resumed);
        restored.LoadState(optimizerState, optimizer.StepCount);
        Train(resumed, restored, steps: 3);

        foreach (var (path, expected) in reference.State())
            Assert.Equal(expected.ToArray(), resumed.State()[path].ToArray());
    }

    [Fact]
    public void State_names_slots_by_parameter_index_and_slot()
    {
        var model = Model();
        var optimizer = new Adam(parameters: model.Parameters());
        Assert.Empty(optimizer.State());
        Train(model, optimizer, steps: 1);
        var state = optimizer.State();
        Assert.Equal(4 * 3, state.Count);
        Assert.Equal(new[] { 1f }, state["3.step"].ToArray());
        Assert.Equal(model.Get<Linear>("2").Bias!.Shape, state["3.exp_avg"].Shape);
    }

    [Fact]
    public void A_slot_of_the_wrong_shape_is_refused_naming_the_parameter()
    {
        var model = Model();
        var optimizer = new Adam(parameters: model.Parameters());
        Train(model, optimizer, steps: 1);
        var state = optimizer.State().ToDictionary(e => e.Key, e => e.Value);
        state["1.exp_avg"] = Tensor.Zeros(7);
        var e = Assert.Throws<ShapeMismatchException>(() => new Adam(parameters: model.Parameters()).LoadState(state, 1));
        Assert.Contains("'1.exp_avg'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'0.bias'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_partial_slot_set_is_refused_naming_what_is_missing()
    {
        var model = Model();
        var optimizer = new Adam(parameters: model.Parameters());
        Train(model, optimizer, steps: 1);
        var state = optimizer.State().Where(e => e.Key != "2.exp_avg_sq").ToDictionary(e => e.Key, e => e.Value);
        var e = Assert.Throws<ConfigurationException>(() => new Adam(parameters: model.Parameters()).LoadState(state, 1));
        Assert.Contains("'2.exp_avg_sq' is missing for parameter '2.weight'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_state_from_a_larger_model_is_refused_and_nothing_is_restored()
    {
        var model = Model();
        var optimizer = new Adam(parameters: model.Parameters());
        Train(model, optimizer, steps: 1);
        var state = optimizer.State().ToDictionary(e => e.Key, e => e.Value);
        state["4.exp_avg"] = Tensor.Zeros(3);
        var fresh = new Adam(parameters: model.Parameters());
        var e = Assert.Throws<ConfigurationException>(() => fresh.LoadState(state, 1));
        Assert.Contains("4.exp_avg", e.Message, StringComparison.Ordinal);
        Assert.Empty(fresh.State());
        Assert.Equal(0, fresh.StepCount);
    }
}
