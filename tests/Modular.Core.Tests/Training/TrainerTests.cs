using Modular.Aggregation;
using Modular.Checkpoints;
using Modular.Computation;
using Modular.NN;
using Modular.Optim;
using Modular.Reports;
using Modular.Routing;
using Modular.Tests.Checkpoints;
using Modular.Tests.Support;
using Modular.Training;

namespace Modular.Tests.Training;

/// <summary>
/// The training loop: length in epochs or steps, evaluation, early stopping, atomic checkpoints, exact resumption,
/// seeded determinism and progress events. The model has dropout and a noisy top-k router over two adapters, so
/// every step draws random numbers, and a warm-up schedule, so the optimiser's step count matters.
/// </summary>
public sealed class TrainerTests
{
    private const int BatchesPerEpoch = 6;

    private static readonly SequenceDataset Train = TinyTasks.Make(48, TinyTasks.MostlyLow, seed: 1);
    private static readonly SequenceDataset Held = TinyTasks.Make(24, TinyTasks.MostlyLow, seed: 2, shuffle: false);

    private static Trainer Build(TrainerOptions options, float learningRate = 0.01f, RouterFactory? router = null) => Build(options, learningRate, out _, router);

    private static Trainer Build(TrainerOptions options, float learningRate, out ModularModel model, RouterFactory? router = null)
    {
        var classifier = TransformerClassifier.Create(TinyTasks.Vocabulary, dModel: 16, layers: 2, heads: 2, ff: 32, classes: 2, maxLength: TinyTasks.Length, seed: 1, dropout: 0.1f);
        model = classifier.WithModules(seed: 2);
        model.Attach(new BottleneckAdapter(reduction: 4), "a").Attach(new BottleneckAdapter(reduction: 4), "b");
        model.Active = new Mixture(router ?? Routers.TopK(k: 1, noisy: true), ["a", "b"]);
        model.TrainOnly("a", "b", "head").TrainComposition();
        var optimizer = new AdamW(learningRate) { Schedule = LearningRateSchedule.WarmupLinear(3, 2 * BatchesPerEpoch) };
        return new Trainer(model, optimizer, options: options);
    }

    private static double[] Losses(TrainingResult result) => result.History.Records.Where(r => r.Loss is not null).Select(r => r.Loss!.Value).ToArray();

    [Fact]
    public void Epochs_run_every_batch_and_max_steps_cuts_the_run_short()
    {
        var full = Build(new TrainerOptions { Epochs = 3 }).Fit(Train);
        Assert.Equal(3 * BatchesPerEpoch, full.Steps);
        Assert.Equal(Enumerable.Range(1, 3 * BatchesPerEpoch).Select(s => (long)s), full.History.Records.Where(r => r.Loss is not null).Select(r => r.Step));
        Assert.False(full.StoppedEarly);

        var cut = Build(new TrainerOptions { Epochs = 3, MaxSteps = 4 }).Fit(Train);
        Assert.Equal(4, cut.Steps);
        Assert.Equal(4, Losses(cut).Length);
    }

    [Fact]
    public void Evaluation_runs_every_n_steps_or_after_each_epoch_and_the_last_one_is_returned()
    {
        var trainer = Build(new TrainerOptions { Epochs = 2, EvaluateEvery = 4 });
        var result = trainer.Fit(Train, Held);
        Assert.Equal([4L, 8L, 12L], result.History.Records.Where(r => r["eval loss"] is not null).Select(r => r.Step));
        var again = trainer.Evaluate(Held);
        Assert.Equal(again.Loss, result.FinalEvaluation!.Loss, 12);
        Assert.Equal(again["accuracy"], result.FinalEvaluation["accuracy"]);

        var perEpoch = Build(new TrainerOptions { Epochs = 2 }).Fit(Train, Held);
        Assert.Equal([6L, 12L], perEpoch.History.Records.Where(r => r["eval accuracy"] is not null).Select(r => r.Step));
    }

    [Fact]
    public void Early_stopping_ends_the_run_after_patience_evaluations_without_improvement()
    {
        // a learning rate of zero: the metric never improves on the first evaluation
        var result = Build(new TrainerOptions { Epochs = 5, EvaluateEvery = 1, EarlyStoppingPatience = 2 }, learningRate: 0f).Fit(Train, Held);
        Assert.True(result.StoppedEarly);
        Assert.Equal(3, result.Steps); // best at step 1, no improvement at steps 2 and 3
        Assert.Equal(result.FinalEvaluation!["accuracy"], result.BestMetric);
    }

    [Fact]
    public void Two_runs_with_the_same_seed_give_identical_losses_and_another_seed_does_not()
    {
        var first = Losses(Build(new TrainerOptions { Epochs = 2, Seed = 7 }).Fit(Train));
        var second = Losses(Build(new TrainerOptions { Epochs = 2, Seed = 7 }).Fit(Train));
        var other = Losses(Build(new TrainerOptions { Epochs = 2, Seed = 8 }).Fit(Train));
        Assert.Equal(first, second);
        Assert.NotEqual(first, other); // dropout and the noisy router draw from the seeded per-step source
    }

    public static TheoryData<int, string> Interruptions => new()
    {
        { 5, "top-k" },     // mid-epoch
        { 6, "top-k" },     // at an epoch boundary
        { 5, "reinforce" }, // a router with state beyond its parameters: the reward baseline
    };

    [Theory]
    [MemberData(nameof(Interruptions))]
    public void Resuming_from_a_checkpoint_reproduces_the_losses_of_an_uninterrupted_run(int interruptAt, string routing)
    {
        using var directory = new TemporaryDirectory();
        var path = Path.Combine(directory.Path, "run.safetensors");
        var router = routing == "top-k" ? Routers.TopK(k: 1, noisy: true) : Routers.Reinforce();
        var uninterrupted = Losses(Build(new TrainerOptions { Epochs = 2, Seed = 3 }, router: router).Fit(Train));

        var firstPart = Build(new TrainerOptions { Epochs = 2, Seed = 3, MaxSteps = interruptAt, CheckpointPath = path }, router: router).Fit(Train);
        // a fresh model, optimiser and trainer, as in a new process
        var rest = Build(new TrainerOptions { Epochs = 2, Seed = 3, CheckpointPath = path, Resume = true }, router: router).Fit(Train);

        Assert.Equal(interruptAt, firstPart.Steps);
        Assert.Equal(2 * BatchesPerEpoch, rest.Steps);
        Assert.Equal(Enumerable.Range(interruptAt + 1, 2 * BatchesPerEpoch - interruptAt).Select(s => (long)s), rest.History.Records.Select(r => r.Step));
        Assert.Equal(uninterrupted, Losses(firstPart).Concat(Losses(rest)));
    }

    [Fact]
    public void The_checkpoint_holds_the_trainable_parameters_and_the_loop_state_and_leaves_no_temporary_files()
    {
        using var directory = new TemporaryDirectory();
        var path = Path.Combine(directory.Path, "run.safetensors");
        var trainer = Build(new TrainerOptions { Epochs = 1, MaxSteps = 4, CheckpointPath = path }, 0.01f, out var model);
        trainer.Fit(Train);

        Assert.Equal([path], Directory.GetFiles(directory.Path));
        var file = SafeTensorsFile.Read(path);
        Assert.Equal("4", file.Metadata["step"]);
        Assert.Equal("4", file.Metadata["optimizer_steps"]);
        var trainable = model.Base.NamedParameters().Where(e => e.Parameter.Trainable).ToList();
        Assert.Equal(trainable.Select(e => $"parameters.{e.Path}").Order(StringComparer.Ordinal), file.Names.Where(n => n.StartsWith("parameters.", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        foreach (var (name, parameter) in trainable) Assert.Equal(parameter.ToArray(), file.Get($"parameters.{name}").ToArray());
        Assert.Contains(file.Names, n => n.StartsWith("optimizer.", StringComparison.Ordinal));
    }

    private sealed class Collect : IProgress<TrainingProgress>
    {
        public List<TrainingProgress> Events { get; } = [];

        public void Report(TrainingProgress value) => Events.Add(value);
    }

    [Fact]
    public void Progress_events_report_step_loss_metrics_elapsed_time_and_remaining_time()
    {
        var sink = new Collect();
        var trainer = Build(new TrainerOptions { Epochs = 2, EvaluateEvery = 3, RunName = "tiny" });
        trainer.Progress = sink;
        var result = trainer.Fit(Train, Held);

        var events = sink.Events;
        Assert.Equal(Enumerable.Range(1, 12).Select(s => (long)s), events.Select(e => e.Step));
        Assert.All(events, e => Assert.Equal(12, e.TotalSteps));
        Assert.All(events, e => Assert.Equal("tiny", e.RunName));
        Assert.Equal(Losses(result), events.Select(e => e.Loss));
        Assert.Equal(Enumerable.Repeat(1, 6).Concat(Enumerable.Repeat(2, 6)), events.Select(e => e.Epoch));
        Assert.All(events.Zip(events.Skip(1)), p => Assert.True(p.Second.Elapsed >= p.First.Elapsed));
        Assert.All(events, e => Assert.NotNull(e.EstimatedRemaining));
        Assert.All(events, e => Assert.True(e.Metrics.ContainsKey("learning rate")));
        // evaluations (after steps 3, 6, 9 and 12) ride along from the step they were measured at until the next
        Assert.DoesNotContain("eval accuracy", events[1].Metrics.Keys);
        var atStep9 = result.History.Records.Single(r => r.Step == 9 && r["eval accuracy"] is not null);
        Assert.Equal(atStep9["eval accuracy"], events[8].Metrics["eval accuracy"]);
        Assert.Equal(atStep9["eval loss"], events[10].Metrics["eval loss"]);
    }

    [Fact]
    public void The_trainer_prints_nothing()
    {
        var original = Console.Out;
        using var captured = new StringWriter();
        Console.SetOut(captured);
        try
        {
            Build(new TrainerOptions { Epochs = 1, EvaluateEvery = 2 }).Fit(Train, Held);
        }
        finally
        {
            Console.SetOut(original);
        }
        Assert.Equal("", captured.ToString());
    }

    [Fact]
    public void A_model_with_nothing_trainable_is_rejected()
    {
        var classifier = TransformerClassifier.Create(TinyTasks.Vocabulary, 8, 1, 2, 16, 2, TinyTasks.Length);
        classifier.Freeze();
        var error = Assert.Throws<ConfigurationException>(() => new Trainer(classifier.WithModules(), new Adam()));
        Assert.Contains("nothing is trainable", error.Message, StringComparison.Ordinal);
    }
}
