using Modular.Tensors;
using Modular.Tests.Support;
using Xunit.Abstractions;

namespace Modular.Tests.Tensors;

/// <summary>Sum, Mean and Max over one axis, several axes and all of them, with and without keepDim.</summary>
public class ReductionTests(ITestOutputHelper output)
{
    private readonly GradientChecker gradients = new(output);

    public static TheoryData<int[], bool> AxisSets() => new()
    {
        { [0], false },
        { [1], true },
        { [-1], false },
        { [0, 2], false },   // non-adjacent axes
        { [1, 2], true },    // adjacent axes, reduced in one pass
        { [0, 1, 2], false },
    };

    [Theory]
    [MemberData(nameof(AxisSets))]
    public void Sum_over_axes(int[] axes, bool keepDim) =>
        gradients.Verify(x => x[0].Sum(axes, keepDim), TestTensors.Normal(1, 2, 3, 4));

    [Theory]
    [MemberData(nameof(AxisSets))]
    public void Mean_over_axes(int[] axes, bool keepDim) =>
        gradients.Verify(x => x[0].Mean(axes, keepDim), TestTensors.Normal(2, 2, 3, 4));

    [Fact]
    public void Sum_and_mean_of_everything()
    {
        gradients.Verify(x => x[0].Sum(), TestTensors.Normal(3, 2, 3));
        gradients.Verify(x => x[0].Mean(), TestTensors.Normal(4, 2, 3));
    }

    [Fact]
    public void Reductions_of_a_transposed_view() =>
        gradients.Verify(x => [x[0].Transpose(0, 2).Sum(1), x[0].Transpose(0, 1).Mean(-1, keepDim: true)], TestTensors.Normal(5, 2, 3, 4));

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(-1, false)]
    public void Max_over_an_axis(int axis, bool keepDim) =>
        gradients.Verify(x => x[0].Max(axis, keepDim), TestTensors.Distinct(6, 0.25f, 2, 3, 4));

    [Fact]
    public void Max_of_everything() => gradients.Verify(x => x[0].Max(), TestTensors.Distinct(7, 0.25f, 3, 4));

    [Fact]
    public void Max_reports_the_first_index_of_the_maximum()
    {
        using var x = Tensor.FromArray([1f, 7f, 7f, 2f, 0f, 5f], 2, 3);

        var (values, indices) = x.MaxWithIndices(1);

        Assert.Equal(new[] { 7f, 5f }, values.ToArray());
        Assert.Equal(new[] { 1, 2 }, indices.ToArray());
    }

    [Fact]
    public void Sum_and_mean_values()
    {
        using var x = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);

        Assert.Equal(new[] { 5f, 7f, 9f }, x.Sum(0).ToArray());
        Assert.Equal(new[] { 2f, 5f }, x.Mean(1).ToArray());
        Assert.Equal([2, 1], x.Mean(1, keepDim: true).Shape.ToArray());
        Assert.Equal(21f, x.Sum().Item());
    }
}
