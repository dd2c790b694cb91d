namespace Modular.Training;

/// <summary>The batches of a dataset, epoch by epoch. The same epoch number must give the same batches (for resuming).</summary>
public interface IBatchSource
{
    /// <summary>Batches of epoch <paramref name="epoch"/> (0-based), in order.</summary>
    IEnumerable<Batch> Epoch(int epoch);

    /// <summary>Number of batches per epoch.</summary>
    int BatchesPerEpoch { get; }
}
