using Modular.Data;

namespace Modular.Tests.Data;

public class DatasetSplitTests
{
    private static readonly int[] Items = [.. Enumerable.Range(0, 103)];

    [Fact]
    public void Fractions_round_down_and_the_rest_is_training()
    {
        var split = DatasetSplit.Create(Items, seed: 5, devFraction: 0.1, testFraction: 0.2);
        Assert.Equal((73, 10, 20), (split.Train.Count, split.Dev.Count, split.Test.Count));
        Assert.Equal(Items, split.Train.Concat(split.Dev).Concat(split.Test).Order());
    }

    [Fact]
    public void Same_seed_gives_the_same_split_and_another_seed_a_different_one()
    {
        var a = DatasetSplit.Create(Items, seed: 5);
        var b = DatasetSplit.Create(Items, seed: 5);
        var c = DatasetSplit.Create(Items, seed: 6);
        Assert.Equal(a.Test, b.Test);
        Assert.NotEqual(a.Test, c.Test);
        Assert.NotEqual(Items[..10], a.Dev); // shuffled, not cut from the front
    }

    [Theory]
    [InlineData(-0.1, 0.1)]
    [InlineData(0.5, 0.5)]
    public void Invalid_fractions_are_rejected(double dev, double test) =>
        Assert.Throws<ConfigurationException>(() => DatasetSplit.Create(Items, seed: 1, dev, test));
}
