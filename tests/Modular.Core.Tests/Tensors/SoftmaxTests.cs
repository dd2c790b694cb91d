using Modular.Tensors;
using Modular.Tests.Support;
using Xunit.Abstractions;

namespace Modular.Tests.Tensors;

/// <summary>Softmax and log-softmax along every axis.</summary>
public class SoftmaxTests(ITestOutputHelper output)
{
    private readonly GradientChecker gradients = new(output);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(-1)]
    public void Softmax_along_each_axis(int axis) =>
        gradients.Verify(x => x[0].Softmax(axis), TestTensors.Normal(1, 2, 3, 4));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(-1)]
    public void Log_softmax_along_each_axis(int axis) =>
        gradients.Verify(x => x[0].LogSoftmax(axis), TestTensors.Normal(2, 2, 3, 4));

    [Fact]
    public void Softmax_of_a_transposed_view() =>
        gradients.Verify(x => [x[0].T.Softmax(-1), x[0].T.LogSoftmax(0)], TestTensors.Normal(3, 4, 5));

    [Fact]
    public void Softmax_rows_sum_to_one_and_match_log_softmax()
    {
        using var x = Tensor.FromArray([1f, 2f, 3f, -50f, 0f, 50f], 2, 3);

        var p = x.Softmax(1).ToArray();
        var logP = x.LogSoftmax(1).ToArray();

        Assert.Equal(1.0, p[0] + p[1] + p[2], 6);
        Assert.Equal(1.0, p[3] + p[4] + p[5], 6);
        Assert.Equal(0.09003057, p[0], 6);
        Assert.Equal(-100f, logP[3], 3); // large logits stay finite: log-softmax subtracts the maximum first
        for (int i = 0; i < 3; i++) Assert.Equal(Math.Log(p[i]), logP[i], 5);
    }
}
