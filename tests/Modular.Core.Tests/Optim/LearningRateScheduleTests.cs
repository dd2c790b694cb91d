using Modular.Optim;

namespace Modular.Tests.Optim;

/// <summary>Warm-up schedules by hand (the golden test compares them with PyTorch's LambdaLR).</summary>
public sealed class LearningRateScheduleTests
{
    private static float[] Factors(LearningRateSchedule schedule, int steps) => Enumerable.Range(0, steps).Select(schedule.Factor).ToArray();

    [Fact]
    public void Linear_warmup_rises_then_falls_to_zero_at_the_total_and_stays_there()
    {
        Assert.Equal([0f, 0.5f, 1f, 0.5f, 0f, 0f], Factors(LearningRateSchedule.WarmupLinear(2, 4), 6));
        Assert.Equal([1f, 0.75f, 0.5f, 0.25f, 0f], Factors(LearningRateSchedule.WarmupLinear(0, 4), 5));
        Assert.Equal([0f, 0.5f, 0f], Factors(LearningRateSchedule.WarmupLinear(2, 2), 3));
    }

    [Fact]
    public void Cosine_decay_passes_the_midpoint_halfway_and_ends_at_its_floor()
    {
        var schedule = LearningRateSchedule.WarmupCosine(2, 6, minFactor: 0.2f);
        var f = Factors(schedule, 8);
        Assert.Equal([0f, 0.5f, 1f], f[..3]);
        Assert.Equal(0.2f + 0.8f * 0.5f * (1 + MathF.Cos(MathF.PI / 4)), f[3], 6);
        Assert.Equal(0.6f, f[4], 6);
        Assert.Equal([0.2f, 0.2f], f[6..]);
    }

    [Fact]
    public void Constant_is_one_everywhere()
    {
        Assert.All(Factors(LearningRateSchedule.Constant, 4), f => Assert.Equal(1f, f));
    }

    [Theory]
    [InlineData(-1, 10, 0f)]
    [InlineData(11, 10, 0f)]
    [InlineData(0, 0, 0f)]
    [InlineData(2, 10, 1.5f)]
    public void Impossible_schedules_are_refused(int warmup, int total, float minFactor)
    {
        Assert.Throws<ConfigurationException>(() => LearningRateSchedule.WarmupCosine(warmup, total, minFactor));
    }
}
