using Modular.Aggregation;
using Modular.Computation;
using Modular.NN;
using Modular.Optim;
using Modular.Routing;
using Modular.Tensors;
using Modular.Training;

namespace Modular.Tests.Training;

/// <summary>
/// Joint multi-task training: batches mixing tasks, each row routed to its task's module by its task id, metrics per
/// task; and the two ways of sampling tasks.
/// </summary>
public sealed class MultiTaskTrainingTests
{
    [Fact]
    public void Mixed_batches_route_each_row_to_its_task_module_and_metrics_are_reported_per_task()
    {
        // the two tasks label the same inputs oppositely: only routing by task id can fit both
        var train = new MultiTaskSource([TinyTasks.Make(96, TinyTasks.MostlyLow, taskId: 0, seed: 1), TinyTasks.Make(96, TinyTasks.MostlyHigh, taskId: 1, seed: 2)], batchSize: 16, seed: 3);
        var low = TinyTasks.Make(48, TinyTasks.MostlyLow, taskId: 0, seed: 4, shuffle: false);
        var high = TinyTasks.Make(48, TinyTasks.MostlyHigh, taskId: 1, seed: 5, shuffle: false);
        var held = new MultiTaskSource([low, high], batchSize: 32, seed: 6);
        Assert.Contains(train.Epoch(0), b => b.Metadata["task"].Distinct().Count() == 2);

        var classifier = TransformerClassifier.Create(TinyTasks.Vocabulary, dModel: 16, layers: 2, heads: 2, ff: 32, classes: 2, maxLength: TinyTasks.Length, seed: 7);
        var model = classifier.WithModules(seed: 8);
        model.Attach(new BottleneckAdapter(reduction: 2), "low").Attach(new BottleneckAdapter(reduction: 2), "high");
        model.Active = new Select("task", "low", "high");
        var trainer = new Trainer(model, new AdamW(0.01f), options: new TrainerOptions { Epochs = 6, GroupMetricsBy = "task", GroupNames = ["low", "high"] });
        var result = trainer.Fit(train, held).FinalEvaluation!;

        Assert.True(result["accuracy/low"] > 0.8, result.ToString());
        Assert.True(result["accuracy/high"] > 0.8, result.ToString());
        // per-task metrics are each task measured alone, and the overall one is their example-weighted mean
        Assert.Equal(trainer.Evaluate(low)["accuracy"], result["accuracy/low"], 12);
        Assert.Equal(trainer.Evaluate(high)["accuracy"], result["accuracy/high"], 12);
        Assert.Equal((result["accuracy/low"] + result["accuracy/high"]) / 2, result["accuracy"], 12);
    }

    /// <summary>Sequences that name their example: task t's example i is [t, i / 12, i % 12].</summary>
    private static SequenceDataset Numbered(int task, int count) =>
        new(Enumerable.Range(0, count).Select(i => new[] { task, i / 12, i % 12 }).ToList(), Enumerable.Repeat(0, count).ToList());

    private static List<int[]> Draws(MultiTaskSource source, int epochs) =>
        Enumerable.Range(0, epochs).SelectMany(source.Epoch).SelectMany(b => Enumerable.Range(0, b.Size).Select(r => new[] { b.Ids[r, 0], b.Ids[r, 1] * 12 + b.Ids[r, 2] })).ToList();

    [Fact]
    public void Proportional_sampling_visits_every_example_of_every_task_once_per_epoch()
    {
        var source = new MultiTaskSource([Numbered(0, 300), Numbered(1, 100)], batchSize: 50, TaskSampling.Proportional, seed: 11);
        var draws = Draws(source, epochs: 1);
        Assert.Equal(400, draws.Count);
        Assert.Equal(300, draws.Count(d => d[0] == 0)); // tasks in proportion to their size, ¾ and ¼
        Assert.Equal(400, draws.Select(d => (d[0], d[1])).Distinct().Count());
        // shuffled together: batches mix the tasks
        Assert.All(source.Epoch(0), b => Assert.Equal(2, b.Metadata["task"].Distinct().Count()));
        // the task id in the metadata is the task each row came from
        foreach (var batch in source.Epoch(0))
            for (int r = 0; r < batch.Size; r++) Assert.Equal(batch.Ids[r, 0], batch.Metadata["task"][r]);
    }

    [Fact]
    public void Balanced_sampling_draws_every_task_equally_often_whatever_its_size()
    {
        var source = new MultiTaskSource([Numbered(0, 300), Numbered(1, 100)], batchSize: 50, TaskSampling.Balanced, seed: 11);
        var draws = Draws(source, epochs: 10);
        Assert.Equal(4000, draws.Count); // an epoch has as many examples as all tasks together
        // 4000 fair draws: the share's standard deviation is √(0.25/4000) ≈ 0.008; allow 3σ
        Assert.InRange(draws.Count(d => d[0] == 0) / 4000.0, 0.5 - 0.024, 0.5 + 0.024);
    }

    [Fact]
    public void Each_task_cycles_through_its_examples_before_repeating_one()
    {
        // balanced: the small task is drawn about 200 times per epoch, so each of its 100 examples comes up twice
        var source = new MultiTaskSource([Numbered(0, 300), Numbered(1, 100)], batchSize: 50, TaskSampling.Balanced, seed: 12);
        var small = Draws(source, epochs: 1).Where(d => d[0] == 1).Select(d => d[1]).ToList();
        var counts = Enumerable.Range(0, 100).Select(i => small.Count(e => e == i)).ToList();
        Assert.InRange(counts.Max() - counts.Min(), 0, 1);
        Assert.True(counts.Min() >= 1);
    }

    [Fact]
    public void The_same_seed_and_epoch_give_the_same_batches_and_another_epoch_another_order()
    {
        var a = new MultiTaskSource([Numbered(0, 30), Numbered(1, 10)], batchSize: 8, seed: 5);
        var b = new MultiTaskSource([Numbered(0, 30), Numbered(1, 10)], batchSize: 8, seed: 5);
        var epoch0 = Draws(a, 1).Select(d => $"{d[0]}:{d[1]}").ToList();
        Assert.Equal(epoch0, Draws(b, 1).Select(d => $"{d[0]}:{d[1]}"));
        Assert.NotEqual(epoch0, a.Epoch(1).SelectMany(x => Enumerable.Range(0, x.Size).Select(r => $"{x.Ids[r, 0]}:{(x.Ids[r, 1] * 12) + x.Ids[r, 2]}")));
    }
}
