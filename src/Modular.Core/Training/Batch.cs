using Modular.Tensors;

namespace Modular.Training;

/// <summary>
/// One minibatch for the trainer: token ids [batch, length], targets (one class per example [batch], or one per token
/// [batch, length] with −100 where no prediction is scored), an optional padding mask [batch, length] (1 = token), and
/// per-example metadata such as task or language ids that routing reads.
/// </summary>
public sealed record Batch
{
    /// <summary>Creates a batch, checking that every part has one entry per example.</summary>
    public Batch(IntTensor ids, IntTensor targets, Tensor? paddingMask = null, IReadOnlyDictionary<string, int[]>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(targets);
        if (ids.Rank != 2) throw new ShapeMismatchException($"Batch: token ids {ids.Shape} must be [batch, length].");
        int size = ids.Shape[0];
        if (targets.Shape[0] != size) throw new ShapeMismatchException($"Batch: targets {targets.Shape} must have one entry per example ({size}).");
        if (paddingMask is not null && !paddingMask.Shape.Equals(ids.Shape)) throw new ShapeMismatchException($"Batch: padding mask {paddingMask.Shape} must match the token ids {ids.Shape}.");
        var meta = metadata ?? new Dictionary<string, int[]>();
        foreach (var (key, values) in meta)
            if (values.Length != size) throw new ShapeMismatchException($"Batch: metadata '{key}' has {values.Length} values for {size} examples.");
        Ids = ids;
        Targets = targets;
        PaddingMask = paddingMask;
        Metadata = meta;
    }

    /// <summary>Token ids [batch, length].</summary>
    public IntTensor Ids { get; }

    /// <summary>Targets [batch] or [batch, length].</summary>
    public IntTensor Targets { get; }

    /// <summary>1 for tokens, 0 for padding; null when there is no padding.</summary>
    public Tensor? PaddingMask { get; }

    /// <summary>Per-example ids by key.</summary>
    public IReadOnlyDictionary<string, int[]> Metadata { get; }

    /// <summary>Number of examples.</summary>
    public int Size => Ids.Shape[0];
}
