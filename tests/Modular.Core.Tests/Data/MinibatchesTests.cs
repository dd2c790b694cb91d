using Modular.Data;
using Modular.Tensors;

namespace Modular.Tests.Data;

public class MinibatchesTests
{
    private static readonly int[] Items = [.. Enumerable.Range(0, 10)];

    [Fact]
    public void Sequential_batches_keep_order_and_a_short_last_batch()
    {
        var batches = Minibatches.Sequential(Items, 4).ToList();
        Assert.Equal([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]], batches.Select(b => b.ToArray()));
        Assert.Equal(2, Minibatches.Sequential(Items, 4, dropLast: true).Count());
    }

    [Fact]
    public void Shuffled_batches_cover_every_item_once_in_a_seeded_order()
    {
        var first = Minibatches.Shuffled(Items, 3, new Rng(9)).SelectMany(b => b).ToArray();
        var again = Minibatches.Shuffled(Items, 3, new Rng(9)).SelectMany(b => b).ToArray();
        Assert.Equal(Items, first.Order());
        Assert.Equal(first, again);
        Assert.NotEqual(Items, first);
    }

    [Fact]
    public void Batch_size_must_be_positive() =>
        Assert.Throws<ConfigurationException>(() => Minibatches.Sequential(Items, 0));
}
