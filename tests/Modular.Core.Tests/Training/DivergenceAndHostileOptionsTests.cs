using Modular.Checkpoints;
using Modular.Computation;
using Modular.NN;
using Modular.Optim;
using Modular.Reports;
using Modular.Tensors;
using Modular.Tests.Checkpoints;
using Modular.Training;

namespace Modular.Tests.Training;

/// <summary>
/// What a hostile user gets from the trainer: options out of range are refused when the trainer is built, empty
/// batch sources before anything runs, and a diverging or non-finite run ends with a <see cref="TrainingDivergedException"/>
/// naming the step, the metric and causes that fit the run's settings, with the history so far kept on the exception.
/// </summary>
public sealed class DivergenceAndHostileOptionsTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    // Tokens 0..10 only: token 11 appears in no training sequence.
    private static readonly SequenceDataset Train = Make(48, seed: 1, vocabulary: TinyTasks.Vocabulary - 1);
    private static readonly SequenceDataset Held = Make(16, seed: 2, vocabulary: TinyTasks.Vocabulary - 1, shuffle: false);

    private static SequenceDataset Make(int count, int seed, int vocabulary, bool shuffle = true)
    {
        var rng = new Rng((ulong)seed + 5);
        var sequences = Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, TinyTasks.Length).Select(_ => rng.NextInt(vocabulary)).ToArray()).ToList();
        return new SequenceDataset(sequences, sequences.Select(TinyTasks.MostlyLow).ToList(), batchSize: 8, shuffle: shuffle, seed: seed);
    }

    private static ModularModel Model()
    {
        var classifier = TransformerClassifier.Create(TinyTasks.Vocabulary, dModel: 16, layers: 2, heads: 2, ff: 32, classes: 2, maxLength: TinyTasks.Length, seed: 1);
        return classifier.WithModules().Attach(new LoRA(rank: 2), "lora").TrainOnly("lora", "head");
    }

    [Theory]
    [InlineData(nameof(TrainerOptions.EvaluateEvery), "TrainerOptions.EvaluateEvery = 0: it must be ≥ 1")]
    [InlineData(nameof(TrainerOptions.MaxSteps), "TrainerOptions.MaxSteps = -5: it must be ≥ 1, or null for no limit")]
    [InlineData(nameof(TrainerOptions.Epochs), "TrainerOptions.Epochs = 0: it must be ≥ 1.")]
    [InlineData(nameof(TrainerOptions.EarlyStoppingPatience), "TrainerOptions.EarlyStoppingPatience = 0: it must be ≥ 1 evaluations")]
    [InlineData(nameof(TrainerOptions.ClipGradientNorm), "TrainerOptions.ClipGradientNorm = NaN: it must be a finite number > 0")]
    [InlineData(nameof(TrainerOptions.DivergenceFactor), "TrainerOptions.DivergenceFactor = 0.5: it must be a finite number > 1")]
    [InlineData(nameof(TrainerOptions.Resume), "TrainerOptions.Resume = True: it needs a CheckpointPath")]
    public void Options_out_of_range_are_refused_when_the_trainer_is_built_naming_the_setting_and_the_rule(string setting, string expected)
    {
        var options = setting switch
        {
            nameof(TrainerOptions.EvaluateEvery) => new TrainerOptions { EvaluateEvery = 0 },
            nameof(TrainerOptions.MaxSteps) => new TrainerOptions { MaxSteps = -5 },
            nameof(TrainerOptions.Epochs) => new TrainerOptions { Epochs = 0 },
            nameof(TrainerOptions.EarlyStoppingPatience) => new TrainerOptions { EarlyStoppingPatience = 0 },
            nameof(TrainerOptions.ClipGradientNorm) => new TrainerOptions { ClipGradientNorm = float.NaN },
            nameof(TrainerOptions.DivergenceFactor) => new TrainerOptions { DivergenceFactor = 0.5 },
            _ => new TrainerOptions { Resume = true },
        };

        var error = Assert.Throws<ConfigurationException>(() => new Trainer(Model(), new AdamW(1e-3f), options: options));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Max_steps_of_zero_is_refused_too_since_it_trains_nothing()
    {
        var error = Assert.Throws<ConfigurationException>(() => new Trainer(Model(), new AdamW(1e-3f), options: new TrainerOptions { MaxSteps = 0 }));
        Assert.Contains("a run of no steps trains nothing", error.Message, StringComparison.Ordinal);
    }

    private sealed class EmptySource(int claimed) : IBatchSource
    {
        public IEnumerable<Batch> Epoch(int epoch) => [];

        public int BatchesPerEpoch => claimed;
    }

    [Fact]
    public void A_training_source_without_batches_is_refused_before_any_step()
    {
        var trainer = new Trainer(Model(), new AdamW(1e-3f));

        var none = Assert.Throws<ConfigurationException>(() => trainer.Fit(new EmptySource(0)));
        var lying = Assert.Throws<ConfigurationException>(() => trainer.Fit(new EmptySource(3)));

        Assert.StartsWith("Trainer.Fit: the training source (EmptySource) yields 0 batches per epoch, so nothing would train.", none.Message, StringComparison.Ordinal);
        Assert.StartsWith("Trainer.Fit: epoch 1 of the training source (EmptySource) yielded no batches although it reports 3 per epoch", lying.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_evaluation_source_without_batches_is_an_error_not_a_nan_result()
    {
        var trainer = new Trainer(Model(), new AdamW(1e-3f));

        var direct = Assert.Throws<ConfigurationException>(() => trainer.Evaluate(new EmptySource(0)));
        var during = Assert.Throws<ConfigurationException>(() => trainer.Fit(Train, new EmptySource(0)));

        Assert.StartsWith("Trainer: the evaluation source (EmptySource) yielded no batches, so there is nothing to evaluate.", direct.Message, StringComparison.Ordinal);
        Assert.Equal(direct.Message, during.Message);
    }

    [Fact]
    public void Sgd_with_a_huge_learning_rate_diverges_with_the_step_the_loss_and_the_history_instead_of_finishing()
    {
        var trainer = new Trainer(Model(), new Sgd(1e9f), options: new TrainerOptions { Epochs = 3, RunName = "sgd" });

        var error = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(Train, Held));

        Assert.NotNull(error.Step);
        Assert.Equal("loss", error.Metric);
        Assert.True(error.Step >= 2, $"step {error.Step}");
        var last = error.History!.Records[^1];
        Assert.Equal(error.Step, last.Step);
        Assert.Equal(error.Value, last.Loss);
        Assert.True(!double.IsFinite(error.Value) || error.Value > 100 * Math.Max(1, error.History.Records[0].Loss!.Value));
        Assert.StartsWith($"Training run 'sgd' diverged at step {error.Step}: the loss is ", error.Message, StringComparison.Ordinal);
        Assert.Contains("the learning rate 1E+09 is too high — lower it about tenfold", error.Message, StringComparison.Ordinal);
        Assert.Contains("gradient clipping (TrainerOptions.ClipGradientNorm = 1) bounds the steps", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_clipping_on_the_advice_says_clipping_is_on_and_names_the_learning_rate()
    {
        var trainer = new Trainer(Model(), new AdamW(1e9f), options: new TrainerOptions { Epochs = 3, ClipGradientNorm = 1 });

        var error = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(Train));

        Assert.Contains("gradient clipping is already on (ClipGradientNorm = 1), so it is the step size, not the gradient's size, that is too large", error.Message, StringComparison.Ordinal);
        Assert.Contains("the learning rate 1E+09 is too high", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("may help", error.Message, StringComparison.Ordinal);
        Assert.Equal(error.Step, error.History!.Records[^1].Step);
    }

    [Fact]
    public void Turning_the_ratio_rule_off_is_the_explicit_way_to_let_a_finite_blow_up_run_on()
    {
        var trainer = new Trainer(Model(), new Sgd(1e9f), options: new TrainerOptions { Epochs = 3, DivergenceFactor = null });

        var result = trainer.Fit(Train);

        var losses = result.History.Records.Select(r => r.Loss!.Value).ToList();
        Assert.True(losses.All(double.IsFinite));
        Assert.True(losses.Max() > 100 * Math.Max(1, losses[0]), $"max {losses.Max()}");   // what the default rule refuses
    }

    /// <summary>Sets the token embedding of <paramref name="token"/> to NaN in the (frozen) base.</summary>
    private static void PoisonEmbedding(ModularModel model, int token)
    {
        var (path, table) = model.Base.NamedParameters().First(e => e.Path.Contains("embeddings", StringComparison.Ordinal) && e.Parameter.Shape[0] == TinyTasks.Vocabulary);
        Assert.False(table.Trainable, path);
        table.Span.Slice(token * table.Shape[1], table.Shape[1]).Fill(float.NaN);
    }

    [Fact]
    public void A_nan_embedding_reached_only_by_the_evaluation_data_ends_the_run_at_the_evaluation_with_the_history()
    {
        var model = Model();
        PoisonEmbedding(model, TinyTasks.Vocabulary - 1);
        var evaluation = Make(16, seed: 3, vocabulary: TinyTasks.Vocabulary, shuffle: false);   // holds token 11
        var trainer = new Trainer(model, new AdamW(1e-3f), options: new TrainerOptions { Epochs = 2, EvaluateEvery = 4 });

        var error = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(Train, evaluation));

        Assert.Equal(4, error.Step);
        Assert.Equal("eval loss", error.Metric);
        Assert.True(double.IsNaN(error.Value));
        Assert.StartsWith("Training run 'run' diverged at step 4: the eval loss is NaN.", error.Message, StringComparison.Ordinal);
        Assert.Contains("weights that only the evaluation data reaches (e.g. the embedding of a token seen only there, or loaded weights) may hold NaN", error.Message, StringComparison.Ordinal);
        Assert.Equal([1L, 2, 3, 4, 4], error.History!.Records.Select(r => r.Step));
        Assert.True(error.History.Records.Take(4).All(r => double.IsFinite(r.Loss!.Value)));
        Assert.True(double.IsNaN(error.History.Records[^1]["eval loss"]!.Value));

        var alone = Assert.Throws<TrainingDivergedException>(() => trainer.Evaluate(evaluation));
        Assert.Null(alone.Step);
        Assert.StartsWith("Evaluate: the eval loss on the evaluation data is NaN, not a result.", alone.Message, StringComparison.Ordinal);
        Assert.Equal(0.5, trainer.Evaluate(Held)["accuracy"], 0.5);   // data that avoids the poisoned token still evaluates
    }

    private sealed class Holder : Module
    {
        public Holder(Parameter weight) => AddParameter("weight", weight);
    }

    private sealed class Outer : Module
    {
        public Outer(Parameter weight) => Inner = Add("inner", new Holder(weight));

        public Holder Inner { get; }
    }

    private sealed class SumObjective : ITrainingObjective
    {
        public string PrimaryMetric => "none";

        public Tensor Loss(Tensor output, Batch batch) => output.Sum();

        public (int Correct, int Counted)[] Score(Tensor output, Batch batch) => [];
    }

    [Fact]
    public void A_non_finite_gradient_names_the_parameter_by_its_path_even_if_the_parameter_was_made_without_a_name()
    {
        var weight = new Parameter(Tensor.Zeros(2));   // made outside any module, registered as a shared parameter
        var model = new Outer(weight);
        var trainer = new Trainer(model, b => weight.Sqrt(), new Sgd(0.1f), new SumObjective());   // d√w/dw at 0 is ∞

        var error = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(Train));

        Assert.Equal("gradient norm", error.Metric);
        Assert.Equal(1, error.Step);
        Assert.Contains("the gradient norm is Infinity (parameter 'inner.weight' [2] has a non-finite gradient). No update has been made yet, so the learning rate is not the cause", error.Message, StringComparison.Ordinal);

        using (TensorScope.Begin()) weight.Sqrt().Sum().Backward();
        var clipping = Assert.Throws<NonFiniteValueException>(() => GradientClipping.ClipGlobalNorm(model.NamedParameters(), 1f));
        Assert.Contains("parameter 'inner.weight' [2] has a non-finite gradient", clipping.Message, StringComparison.Ordinal);
        var loose = new Parameter(Tensor.Zeros(2));
        using (TensorScope.Begin()) loose.Sqrt().Sum().Backward();
        var unnamed = Assert.Throws<NonFiniteValueException>(() => GradientClipping.ClipGlobalNorm([loose], 1f));
        Assert.Contains("parameter '(unnamed parameter [2])' [2] has a non-finite gradient", unnamed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resuming_from_a_checkpoint_that_holds_nan_is_refused_unless_allowed_and_the_model_is_left_as_it_was()
    {
        string path = directory.File("run.safetensors");
        new Trainer(Model(), new AdamW(1e-3f), options: new TrainerOptions { CheckpointPath = path, MaxSteps = 2 }).Fit(Train);
        var file = SafeTensorsFile.Read(path);
        var tensors = file.Names.ToDictionary(n => n, n => file.Get(n).ToArray());
        string poisoned = tensors.Keys.First(k => k.StartsWith("parameters.", StringComparison.Ordinal));
        tensors[poisoned][0] = float.NaN;
        SafeTensorsFile.Write(path, tensors.ToDictionary(e => e.Key, e => Tensor.FromArray(e.Value, file.Info(e.Key).Shape.ToArray())), file.Metadata);
        var model = Model();
        var before = Modular.Tiny.Snapshot(model.Base);

        var error = Assert.Throws<NonFiniteValueException>(() => new Trainer(model, new AdamW(1e-3f), options: new TrainerOptions { CheckpointPath = path, Resume = true, MaxSteps = 3 }).Fit(Train));

        Assert.StartsWith($"Tensor '{poisoned}' in '{path}' holds NaN at element [0", error.Message, StringComparison.Ordinal);
        Assert.Empty(Modular.Tiny.Changed(before, Modular.Tiny.Snapshot(model.Base)));
        var allowed = new Trainer(Model(), new AdamW(1e-3f), options: new TrainerOptions { CheckpointPath = path, Resume = true, MaxSteps = 3, AllowNonFiniteCheckpoint = true });
        Assert.Throws<TrainingDivergedException>(() => allowed.Fit(Train));   // read as stored, the NaN weight then makes the loss NaN
    }
}
