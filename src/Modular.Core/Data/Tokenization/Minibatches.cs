using Modular.Tensors;

namespace Modular.Data;

/// <summary>Cuts a data set into minibatches: shuffled for training, in order for evaluation.</summary>
public static class Minibatches
{
    /// <summary>One epoch of minibatches in an order drawn from <paramref name="rng"/>; the last batch is smaller unless <paramref name="dropLast"/>.</summary>
    /// <exception cref="ConfigurationException"><paramref name="batchSize"/> is not positive.</exception>
    public static IEnumerable<IReadOnlyList<T>> Shuffled<T>(IReadOnlyList<T> items, int batchSize, Rng rng, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(rng);
        var order = items.ToArray();
        rng.Shuffle(order);
        return Sequential(order, batchSize, dropLast);
    }

    /// <summary>Consecutive minibatches in the items' order; the last batch is smaller unless <paramref name="dropLast"/>.</summary>
    /// <exception cref="ConfigurationException"><paramref name="batchSize"/> is not positive.</exception>
    public static IEnumerable<IReadOnlyList<T>> Sequential<T>(IReadOnlyList<T> items, int batchSize, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (batchSize < 1) throw new ConfigurationException($"Minibatches: batch size must be positive, got {batchSize}.");
        return Iterate(items, batchSize, dropLast);
    }

    private static IEnumerable<IReadOnlyList<T>> Iterate<T>(IReadOnlyList<T> items, int batchSize, bool dropLast)
    {
        for (int start = 0; start < items.Count; start += batchSize)
        {
            int size = Math.Min(batchSize, items.Count - start);
            if (size < batchSize && dropLast) yield break;
            var batch = new T[size];
            for (int i = 0; i < size; i++) batch[i] = items[start + i];
            yield return batch;
        }
    }
}
