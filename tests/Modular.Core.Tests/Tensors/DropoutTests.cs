using Modular.Tensors;
using Modular.Tests.Support;
using Xunit.Abstractions;

namespace Modular.Tests.Tensors;

/// <summary>Inverted dropout: a seeded mask, survivors scaled by 1/(1 − p), identity in evaluation.</summary>
public class DropoutTests(ITestOutputHelper output)
{
    private readonly GradientChecker gradients = new(output);

    [Fact]
    public void Gradient_with_a_fixed_mask() =>
        gradients.Verify(x => x[0].Dropout(0.3f, training: true, new Rng(11)), TestTensors.Normal(1, 4, 5));

    [Fact]
    public void Survivors_are_scaled_and_the_gradient_uses_the_same_mask()
    {
        using var x = TestTensors.Normal(2, 50, 40);
        x.RequiresGrad = true;

        var y = x.Dropout(0.25f, training: true, new Rng(3));
        y.Sum().Backward();

        var input = x.ToArray();
        var output = y.ToArray();
        var grad = x.Grad!.ToArray();
        int dropped = 0;
        for (int i = 0; i < input.Length; i++)
        {
            bool kept = output[i] != 0f;
            if (!kept) dropped++;
            Assert.Equal(kept ? input[i] * (1f / 0.75f) : 0f, output[i]);
            Assert.Equal(kept ? 1f / 0.75f : 0f, grad[i]);
        }
        Assert.InRange(dropped / (double)input.Length, 0.23, 0.27); // 2000 draws: ±2 percentage points is over 2σ
    }

    [Fact]
    public void Same_seed_same_mask()
    {
        using var x = Tensor.Ones(100);

        Assert.Equal(x.Dropout(0.5f, true, new Rng(9)).ToArray(), x.Dropout(0.5f, true, new Rng(9)).ToArray());
        Assert.NotEqual(x.Dropout(0.5f, true, new Rng(9)).ToArray(), x.Dropout(0.5f, true, new Rng(10)).ToArray());
    }

    [Fact]
    public void Evaluation_mode_and_p_zero_are_the_identity()
    {
        using var x = TestTensors.Normal(4, 3, 3);

        Assert.Same(x, x.Dropout(0.5f, training: false, new Rng(1)));
        Assert.Same(x, x.Dropout(0f, training: true, new Rng(1)));
    }
}
