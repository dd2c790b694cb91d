using Modular.NN;
using Modular.Optim;
using Modular.Tensors;

namespace Modular.Tests.Optim;

/// <summary>Per-group settings, schedules across groups, and parameters that received no gradient.</summary>
public sealed class ParameterGroupTests
{
    private static Parameter WithGradient(float value, float gradient) =>
        new(Tensor.FromArray(new[] { value })) { Grad = Tensor.FromArray(new[] { gradient }) };

    [Fact]
    public void Each_group_uses_its_own_rate_and_decay_or_falls_back_to_the_defaults()
    {
        var router = WithGradient(1f, 1f);
        var skills = WithGradient(1f, 1f);
        var sgd = new Sgd(0.1f, weightDecay: 0.5f);
        sgd.AddGroup(new ParameterGroup([router], learningRate: 1f, weightDecay: 0f, name: "router"));
        sgd.Add([skills], name: "skills");
        sgd.Step();
        Assert.Equal(0f, router.Item());            // 1 − 1·1
        Assert.Equal(0.85f, skills.Item(), 6);       // 1 − 0.1·(1 + 0.5·1)
        Assert.Equal(["router", "skills"], sgd.Groups.Select(g => g.Name));
    }

    [Fact]
    public void The_schedule_scales_every_group_by_the_same_factor_of_the_step()
    {
        var sgd = new Sgd(0.1f) { Schedule = LearningRateSchedule.WarmupLinear(2, 4) };
        var fast = new ParameterGroup([WithGradient(0f, 1f)], learningRate: 1f);
        sgd.AddGroup(fast).Add([WithGradient(0f, 1f)]);
        var rates = new List<(float Fast, float Default)>();
        for (int i = 0; i < 5; i++)
        {
            rates.Add((sgd.CurrentLearningRate(fast), sgd.CurrentLearningRate(sgd.Groups[1])));
            sgd.Step();
        }
        Assert.Equal([0f, 0.5f, 1f, 0.5f, 0f], rates.Select(r => r.Fast));
        Assert.Equal([0f, 0.05f, 0.1f, 0.05f, 0f], rates.Select(r => r.Default));
        Assert.Equal(-2f, fast.Parameters[0].Item(), 6); // the sum of the rates it was stepped with
        Assert.Equal(5, sgd.StepCount);
    }

    [Fact]
    public void A_parameter_without_a_gradient_is_left_alone_and_its_Adam_step_count_does_not_advance()
    {
        var used = WithGradient(1f, 0.5f);
        var unused = new Parameter(Tensor.FromArray(new[] { 1f }));
        var adam = new Adam(lr: 0.1f, parameters: [used, unused]);
        adam.Step();
        Assert.Equal(1f, unused.Item());

        // Its first real step is then a first Adam step: |Δ| = lr·|m̂|/(√v̂ + ε) = lr for any gradient.
        unused.Grad = Tensor.FromArray(new[] { 3f });
        used.ZeroGrad();
        adam.Step();
        Assert.Equal(0.9f, unused.Item(), 6);
    }
}
