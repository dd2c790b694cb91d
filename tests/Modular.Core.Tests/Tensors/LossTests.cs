using Modular.NN;
using Modular.Tensors;
using Modular.Tests.Support;
using Xunit.Abstractions;

namespace Modular.Tests.Tensors;

/// <summary>Cross-entropy (ignore index, label smoothing, any leading shape), MSE and BCE with logits.</summary>
public class LossTests(ITestOutputHelper output)
{
    private readonly GradientChecker gradients = new(output);

    [Theory]
    [InlineData(0f)]
    [InlineData(0.1f)]
    public void Cross_entropy_over_rows(float smoothing)
    {
        var targets = IntTensor.FromArray([2, 0, 4, 1]);

        gradients.Verify(x => Losses.CrossEntropy(x[0], targets, labelSmoothing: smoothing), TestTensors.Normal(1, 4, 5));
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.2f)]
    public void Cross_entropy_over_sequences_with_ignored_positions(float smoothing)
    {
        var targets = IntTensor.FromArray(new[,] { { 1, Losses.DefaultIgnoreIndex, 3 }, { 0, 2, Losses.DefaultIgnoreIndex } });

        gradients.Verify(x => Losses.CrossEntropy(x[0], targets, labelSmoothing: smoothing), TestTensors.Normal(2, 2, 3, 4));
    }

    [Fact]
    public void Cross_entropy_with_a_custom_ignore_index_on_transposed_logits()
    {
        var targets = IntTensor.FromArray([0, 3, 2, 3]);

        gradients.Verify(x => Losses.CrossEntropy(x[0].T, targets, ignoreIndex: 3), TestTensors.Normal(3, 5, 4));
    }

    [Fact]
    public void Cross_entropy_value_is_the_mean_negative_log_probability_of_counted_rows()
    {
        using var logits = Tensor.FromArray(new float[,] { { 0, 0 }, { 0, MathF.Log(3) }, { 5, 5 } });
        var targets = IntTensor.FromArray([0, 1, Losses.DefaultIgnoreIndex]);

        var loss = Losses.CrossEntropy(logits, targets).Item();

        Assert.Equal((Math.Log(2) + Math.Log(4.0 / 3)) / 2, loss, 6); // p = 1/2 and 3/4; the ignored row does not count
    }

    [Fact]
    public void Mse_gradient_to_prediction_and_target() =>
        gradients.Verify(x => Losses.Mse(x[0], x[1]), TestTensors.Normal(4, 3, 4), TestTensors.Normal(5, 3, 4));

    [Fact]
    public void Bce_with_logits_gradient_to_logits_and_targets() =>
        gradients.Verify(x => Losses.BinaryCrossEntropyWithLogits(x[0], x[1]), TestTensors.Normal(6, 3, 4).Mul(3f), TestTensors.Uniform(7, 0f, 1f, 3, 4));

    [Fact]
    public void Bce_with_logits_stays_finite_for_large_logits()
    {
        using var logits = Tensor.FromArray([100f, -100f]);
        using var targets = Tensor.FromArray([0f, 1f]);

        Assert.Equal(100f, Losses.BinaryCrossEntropyWithLogits(logits, targets).Item(), 4);
    }
}
