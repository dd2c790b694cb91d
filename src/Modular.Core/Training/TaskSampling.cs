using Modular.Tensors;

namespace Modular.Training;

/// <summary>How a multi-task source draws tasks for each example.</summary>
public enum TaskSampling
{
    /// <summary>Every task equally often, whatever its size (small tasks are revisited).</summary>
    Balanced,

    /// <summary>Tasks in proportion to their number of examples.</summary>
    Proportional,
}

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
        // per task, a shuffled cycle of its examples; draw a task per slot, then that task's next example
        var cycles = counts.Select(n => Enumerable.Range(0, n).ToArray()).ToArray();
        foreach (var c in cycles) rng.Shuffle(c);
        var next = new int[tasks.Length];
        int total = ExamplesPerEpoch;
        for (int start = 0; start < total; start += BatchSize)
        {
            int size = Math.Min(BatchSize, total - start);
            var byTask = Enumerable.Range(0, tasks.Length).Select(_ => new List<int>()).ToArray();
            for (int i = 0; i < size; i++)
            {
                int task = DrawTask(rng);
                byTask[task].Add(cycles[task][next[task]++ % counts[task]]);
            }
            yield return Merge(byTask);
        }
    }

    private int DrawTask(Rng rng)
    {
        if (Sampling == TaskSampling.Balanced) return rng.NextInt(tasks.Length);
        int r = rng.NextInt(ExamplesPerEpoch);
        for (int t = 0; t < counts.Length; t++)
        {
            if (r < counts[t]) return t;
            r -= counts[t];
        }
        return counts.Length - 1;
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
