using Modular.Tensors;

namespace Modular.Training;

/// <summary>
/// Joint multi-task training data: batches that mix examples of several tasks, each carrying its task id under
/// metadata key <see cref="TaskKey"/> so that fixed routing can send each row to its task's module.
/// </summary>
public sealed class MultiTaskSource : IBatchSource
{
    private readonly SequenceDataset[] tasks;
    private readonly int[] counts;

    /// <summary>Mixes <paramref name="tasks"/> (task i gets id i); an epoch has as many examples as all tasks together.</summary>
    public MultiTaskSource(IReadOnlyList<SequenceDataset> tasks, int batchSize = 32, TaskSampling sampling = TaskSampling.Proportional, int seed = 0, string taskKey = "task")
    {
        ArgumentNullException.ThrowIfNull(tasks);
        if (tasks.Count == 0) throw new ConfigurationException("MultiTaskSource needs at least one task.");
        if (batchSize < 1) throw new ConfigurationException($"MultiTaskSource: batch size must be ≥ 1, got {batchSize}.");
        this.tasks = [.. tasks];
        counts = tasks.Select(t => t.Count).ToArray();
        BatchSize = batchSize;
        Sampling = sampling;
        Seed = seed;
        TaskKey = taskKey;
    }

    /// <summary>Examples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>The task sampling scheme.</summary>
    public TaskSampling Sampling { get; }

    /// <summary>Seed of the sampling.</summary>
    public int Seed { get; }

    /// <summary>Metadata key of the task id.</summary>
    public string TaskKey { get; }

    /// <summary>Examples per epoch (all tasks together).</summary>
    public int ExamplesPerEpoch => counts.Sum();

    /// <inheritdoc/>
    public int BatchesPerEpoch => (ExamplesPerEpoch + BatchSize - 1) / BatchSize;

    /// <inheritdoc/>
    public IEnumerable<Batch> Epoch(int epoch)
    {
        var rng = new Rng(((ulong)(uint)Seed << 32) ^ (ulong)(uint)epoch ^ 0x7A5CUL);
        var draws = Sampling == TaskSampling.Proportional ? EveryExampleOnce(rng) : BalancedDraws(rng);
        foreach (var chunk in draws.Chunk(BatchSize))
        {
            var byTask = Enumerable.Range(0, tasks.Length).Select(_ => new List<int>()).ToArray();
            foreach (var (task, example) in chunk) byTask[task].Add(example);
            yield return Merge(byTask);
        }
    }

    /// <summary>Every example of every task once, shuffled together: each task in proportion to its size, and an evaluation sees each example exactly once.</summary>
    private (int Task, int Example)[] EveryExampleOnce(Rng rng)
    {
        var all = counts.SelectMany((n, task) => Enumerable.Range(0, n).Select(example => (task, example))).ToArray();
        rng.Shuffle(all);
        return all;
    }

    /// <summary>A uniformly drawn task per slot, then that task's next example from a shuffled cycle of its examples (small tasks are revisited).</summary>
    private IEnumerable<(int Task, int Example)> BalancedDraws(Rng rng)
    {
        var cycles = counts.Select(n => Enumerable.Range(0, n).ToArray()).ToArray();
        foreach (var c in cycles) rng.Shuffle(c);
        var next = new int[tasks.Length];
        for (int slot = 0; slot < ExamplesPerEpoch; slot++)
        {
            int task = rng.NextInt(tasks.Length);
            yield return (task, cycles[task][next[task]++ % counts[task]]);
        }
    }

    private Batch Merge(List<int>[] byTask)
    {
        var parts = byTask.Select((rows, task) => (task, rows)).Where(p => p.rows.Count > 0).Select(p => (p.task, batch: tasks[p.task].Collate(p.rows))).ToList();
        int length = parts.Max(p => p.batch.Ids.Shape[1]);
        int size = parts.Sum(p => p.batch.Size);
        bool perToken = parts[0].batch.Targets.Rank == 2;
        var ids = IntTensor.Zeros(size, length);
        var targets = perToken ? IntTensor.Zeros(size, length) : IntTensor.Zeros(size);
        var mask = Tensor.Zeros(size, length);
        var taskIds = new int[size];
        var keys = parts.SelectMany(p => p.batch.Metadata.Keys).Distinct().Where(k => k != TaskKey).ToList();
        var meta = keys.ToDictionary(k => k, _ => new int[size]);
        int row = 0;
        foreach (var (task, batch) in parts)
        {
            int l = batch.Ids.Shape[1];
            for (int b = 0; b < batch.Size; b++, row++)
            {
                taskIds[row] = task;
                for (int t = 0; t < length; t++)
                {
                    bool inside = t < l && (batch.PaddingMask is null || batch.PaddingMask[b, t] != 0f);
                    ids.Span[row * length + t] = inside ? batch.Ids.Span[b * l + t] : tasks[task].PadId;
                    if (perToken) targets.Span[row * length + t] = inside ? batch.Targets.Span[b * l + t] : -100;
                    mask[row, t] = inside ? 1f : 0f;
                }
                if (!perToken) targets.Span[row] = batch.Targets.Span[b];
                foreach (var k in keys) meta[k][row] = batch.Metadata.TryGetValue(k, out var v) ? v[b] : -1;
            }
        }
        meta[TaskKey] = taskIds;
        return new Batch(ids, targets, mask, meta);
    }
}
