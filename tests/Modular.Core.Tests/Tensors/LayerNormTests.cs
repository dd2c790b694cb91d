using Modular.Tensors;
using Modular.Tests.Support;
using Xunit.Abstractions;

namespace Modular.Tests.Tensors;

/// <summary>Layer normalisation over the last dimension, with and without the affine parameters.</summary>
public class LayerNormTests(ITestOutputHelper output)
{
    private readonly GradientChecker gradients = new(output);

    [Fact]
    public void Without_affine_parameters() =>
        gradients.Verify(x => x[0].LayerNorm(), TestTensors.Normal(1, 2, 3, 8));

    [Fact]
    public void With_weight_only() =>
        gradients.Verify(x => x[0].LayerNorm(x[1]), TestTensors.Normal(2, 4, 6), TestTensors.Normal(3, 6));

    [Fact]
    public void With_weight_and_bias() =>
        gradients.Verify(x => x[0].LayerNorm(x[1], x[2]), TestTensors.Normal(4, 2, 3, 8), TestTensors.Normal(5, 8), TestTensors.Normal(6, 8));

    [Fact]
    public void Of_a_transposed_view_with_a_large_eps() =>
        gradients.Verify(x => x[0].T.LayerNorm(x[1], x[2], eps: 0.1f), TestTensors.Normal(7, 4, 5), TestTensors.Normal(8, 4), TestTensors.Normal(9, 4));

    [Fact]
    public void Rows_have_zero_mean_and_unit_biased_variance()
    {
        using var x = Tensor.FromArray([1f, 2f, 3f, 4f, -10f, 0f, 10f, 20f], 2, 4);

        var y = x.LayerNorm(eps: 0f).ToArray();

        // Row 1: mean 2.5, biased variance 1.25.
        Assert.Equal((1 - 2.5) / Math.Sqrt(1.25), y[0], 5);
        for (int r = 0; r < 2; r++)
        {
            var row = y.Skip(4 * r).Take(4).ToArray();
            Assert.Equal(0.0, row.Average(), 5);
            Assert.Equal(1.0, row.Select(v => (double)v * v).Average(), 4);
        }
    }
}
