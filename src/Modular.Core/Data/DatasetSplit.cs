using Modular.Tensors;

namespace Modular.Data;

/// <summary>Items divided into training, development (validation) and test parts.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="Train">Items to fit parameters on.</param>
/// <param name="Dev">Items to choose hyper-parameters and stop on.</param>
/// <param name="Test">Items to report results on, looked at once.</param>
public sealed record DatasetSplit<T>(IReadOnlyList<T> Train, IReadOnlyList<T> Dev, IReadOnlyList<T> Test);

/// <summary>Seeded random splits: the same items and seed give the same split on every machine.</summary>
public static class DatasetSplit
{
    /// <summary>Shuffles <paramref name="items"/> with <paramref name="seed"/> and cuts off the dev and test fractions (rounded down; the rest is training).</summary>
    /// <exception cref="ConfigurationException">A fraction is negative or they sum to 1 or more.</exception>
    public static DatasetSplit<T> Create<T>(IReadOnlyList<T> items, ulong seed, double devFraction = 0.1, double testFraction = 0.1)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (devFraction < 0 || testFraction < 0 || devFraction + testFraction >= 1)
            throw new ConfigurationException($"DatasetSplit.Create: dev fraction {devFraction} and test fraction {testFraction} must be non-negative and sum to less than 1.");
        var shuffled = items.ToArray();
        new Rng(seed).Shuffle(shuffled);
        int dev = (int)(devFraction * shuffled.Length), test = (int)(testFraction * shuffled.Length);
        return new DatasetSplit<T>(shuffled[(dev + test)..], shuffled[..dev], shuffled[dev..(dev + test)]);
    }
}
