using Modular.Tensors;
using Modular.Training;

namespace Modular.Tests.Training;

/// <summary>Small synthetic classification tasks over token sequences that a two-layer Transformer learns in a few epochs.</summary>
internal static class TinyTasks
{
    public const int Vocabulary = 12, Length = 6;

    /// <summary>
    /// <paramref name="count"/> random sequences labelled by <paramref name="label"/>, carrying <paramref name="taskId"/> under
    /// the metadata key "task".
    /// </summary>
    public static SequenceDataset Make(int count, Func<int[], int> label, int taskId = 0, int seed = 0, int batchSize = 8, bool shuffle = true)
    {
        var rng = new Rng((ulong)seed + 77);
        var sequences = Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, Length).Select(_ => rng.NextInt(Vocabulary)).ToArray()).ToList();
        return new SequenceDataset(sequences, sequences.Select(label).ToList(),
            new Dictionary<string, int[]> { ["task"] = Enumerable.Repeat(taskId, count).ToArray() }, batchSize, shuffle, seed);
    }

    /// <summary>Label 1 when the sequence contains more tokens below half the vocabulary than above.</summary>
    public static int MostlyLow(int[] sequence) => sequence.Count(t => t < Vocabulary / 2) * 2 > sequence.Length ? 1 : 0;

    /// <summary>The opposite labels of <see cref="MostlyLow"/>: the same inputs need a different function.</summary>
    public static int MostlyHigh(int[] sequence) => 1 - MostlyLow(sequence);
}
