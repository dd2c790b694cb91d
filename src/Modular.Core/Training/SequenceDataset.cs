using Modular.Tensors;

namespace Modular.Training;

/// <summary>
/// Token sequences with targets and optional per-example metadata, batched for the trainer: shuffled (seeded by
/// epoch) or in order, padded to the longest sequence of each batch with a padding mask.
/// </summary>
public sealed class SequenceDataset : IBatchSource
{
    private readonly int[][] sequences;
    private readonly int[][] targets;
    private readonly bool perToken;
    private readonly Dictionary<string, int[]> metadata;

    /// <summary>One class per sequence.</summary>
    public SequenceDataset(IReadOnlyList<int[]> sequences, IReadOnlyList<int> labels, IReadOnlyDictionary<string, int[]>? metadata = null, int batchSize = 32, bool shuffle = true, int seed = 0, int padId = 0)
        : this(sequences, (labels ?? throw new ArgumentNullException(nameof(labels))).Select(l => new[] { l }).ToArray(), perToken: false, metadata, batchSize, shuffle, seed, padId) { }

    /// <summary>One target per token (−100 = not scored), e.g. masked language modelling.</summary>
    public SequenceDataset(IReadOnlyList<int[]> sequences, IReadOnlyList<int[]> tokenTargets, IReadOnlyDictionary<string, int[]>? metadata = null, int batchSize = 32, bool shuffle = true, int seed = 0, int padId = 0)
        : this(sequences, tokenTargets, perToken: true, metadata, batchSize, shuffle, seed, padId) { }

    private SequenceDataset(IReadOnlyList<int[]> sequences, IReadOnlyList<int[]> targets, bool perToken, IReadOnlyDictionary<string, int[]>? metadata, int batchSize, bool shuffle, int seed, int padId)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(targets);
        if (sequences.Count == 0) throw new ConfigurationException("SequenceDataset: no sequences.");
        if (targets.Count != sequences.Count) throw new ShapeMismatchException($"SequenceDataset: {targets.Count} targets for {sequences.Count} sequences.");
        if (batchSize < 1) throw new ConfigurationException($"SequenceDataset: batch size must be ≥ 1, got {batchSize}.");
        for (int i = 0; i < sequences.Count; i++)
        {
            if (sequences[i].Length == 0) throw new ShapeMismatchException($"SequenceDataset: sequence {i} is empty.");
            if (perToken && targets[i].Length != sequences[i].Length) throw new ShapeMismatchException($"SequenceDataset: sequence {i} has {sequences[i].Length} tokens but {targets[i].Length} targets.");
        }
        this.sequences = [.. sequences];
        this.targets = [.. targets];
        this.perToken = perToken;
        this.metadata = (metadata ?? new Dictionary<string, int[]>()).ToDictionary(e => e.Key, e => e.Value);
        foreach (var (key, values) in this.metadata)
            if (values.Length != sequences.Count) throw new ShapeMismatchException($"SequenceDataset: metadata '{key}' has {values.Length} values for {sequences.Count} sequences.");
        BatchSize = batchSize;
        Shuffle = shuffle;
        Seed = seed;
        PadId = padId;
    }

    /// <summary>Number of sequences.</summary>
    public int Count => sequences.Length;

    /// <summary>Examples per batch (the last batch may be smaller).</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch visits the examples in a new (seeded) order.</summary>
    public bool Shuffle { get; }

    /// <summary>Seed of the shuffling.</summary>
    public int Seed { get; }

    /// <summary>Token id used for padding.</summary>
    public int PadId { get; }

    /// <summary>Per-example metadata.</summary>
    public IReadOnlyDictionary<string, int[]> Metadata => metadata;

    /// <inheritdoc/>
    public int BatchesPerEpoch => (Count + BatchSize - 1) / BatchSize;

    /// <summary>The same data with another batch size, order or seed.</summary>
    public SequenceDataset With(int? batchSize = null, bool? shuffle = null, int? seed = null) =>
        new(sequences, targets, perToken, metadata, batchSize ?? BatchSize, shuffle ?? Shuffle, seed ?? Seed, PadId);

    /// <summary>The examples at <paramref name="indices"/> as a new dataset (e.g. one task, a few shots).</summary>
    public SequenceDataset Subset(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        return new(indices.Select(i => sequences[i]).ToArray(), indices.Select(i => targets[i]).ToArray(), perToken,
            metadata.ToDictionary(e => e.Key, e => indices.Select(i => e.Value[i]).ToArray()), BatchSize, Shuffle, Seed, PadId);
    }

    /// <inheritdoc/>
    public IEnumerable<Batch> Epoch(int epoch)
    {
        var order = Enumerable.Range(0, Count).ToArray();
        if (Shuffle) new Rng(((ulong)(uint)Seed << 32) ^ (ulong)(uint)epoch ^ 0xDA7AUL).Shuffle(order);
        for (int start = 0; start < Count; start += BatchSize)
            yield return Collate(order.AsSpan(start, Math.Min(BatchSize, Count - start)).ToArray());
    }

    /// <summary>The batch of the given examples, padded to the longest.</summary>
    public Batch Collate(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        int size = indices.Count, length = indices.Max(i => sequences[i].Length);
        var ids = IntTensor.Zeros(size, length);
        var y = perToken ? IntTensor.Zeros(size, length) : IntTensor.Zeros(size);
        bool padded = indices.Any(i => sequences[i].Length < length);
        var mask = padded ? Tensor.Zeros(size, length) : null;
        var idSpan = ids.Span;
        var ySpan = y.Span;
        for (int b = 0; b < size; b++)
        {
            var s = sequences[indices[b]];
            for (int t = 0; t < length; t++)
            {
                idSpan[b * length + t] = t < s.Length ? s[t] : PadId;
                if (perToken) ySpan[b * length + t] = t < s.Length ? targets[indices[b]][t] : -100;
                if (mask is not null && t < s.Length) mask[b, t] = 1f;
            }
            if (!perToken) ySpan[b] = targets[indices[b]][0];
        }
        var meta = metadata.ToDictionary(e => e.Key, e => indices.Select(i => e.Value[i]).ToArray());
        return new Batch(ids, y, mask, meta);
    }
}
