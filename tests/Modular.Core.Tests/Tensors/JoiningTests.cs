using Modular.Tensors;
using Modular.Tests.Support;
using Xunit.Abstractions;

namespace Modular.Tests.Tensors;

/// <summary>Cat, Stack, Split and Chunk: gradients are routed back to the right pieces.</summary>
public class JoiningTests(ITestOutputHelper output)
{
    private readonly GradientChecker gradients = new(output);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    public void Cat_of_unequal_pieces(int axis)
    {
        int[] Shape(int size) => axis == 0 ? [size, 3, 2] : axis == 1 ? [2, size, 2] : [2, 3, size];

        gradients.Verify(x => Tensor.Cat([x[0], x[1], x[2]], axis), TestTensors.Normal(1, Shape(1)), TestTensors.Normal(2, Shape(3)), TestTensors.Normal(3, Shape(2)));
    }

    [Fact]
    public void Cat_of_a_transposed_view_and_the_same_tensor_twice() =>
        gradients.Verify(x => Tensor.Cat([x[0].T, x[1], x[1]], 0), TestTensors.Normal(4, 3, 2), TestTensors.Normal(5, 1, 3));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(-1)]
    public void Stack_along_a_new_axis(int axis)
    {
        var stacked = Tensor.Stack([TestTensors.Normal(6, 2, 3), TestTensors.Normal(7, 2, 3)], axis);
        int position = axis < 0 ? axis + 3 : axis;
        Assert.Equal(2, stacked.Size(position));

        gradients.Verify(x => Tensor.Stack([x[0], x[1]], axis), TestTensors.Normal(6, 2, 3), TestTensors.Normal(7, 2, 3));
    }

    [Fact]
    public void Split_into_given_sizes() =>
        gradients.Verify(x => x[0].Split([1, 3, 2], axis: 1), TestTensors.Normal(8, 2, 6));

    [Fact]
    public void Chunk_with_a_smaller_last_piece()
    {
        var pieces = TestTensors.Normal(9, 7, 2).Chunk(3);
        Assert.Equal(new[] { 3, 3, 1 }, pieces.Select(p => p.Size(0)));

        gradients.Verify(x => x[0].Chunk(3), TestTensors.Normal(9, 7, 2));
    }

    [Fact]
    public void Unused_pieces_get_zero_gradient()
    {
        using var x = TestTensors.Normal(10, 4);
        x.RequiresGrad = true;

        x.Split([1, 3])[1].Sum().Backward();

        Assert.Equal(new[] { 0f, 1f, 1f, 1f }, x.Grad!.ToArray());
    }

    [Fact]
    public void Cat_and_split_values()
    {
        using var a = Tensor.FromArray(new float[,] { { 1, 2 } });
        using var b = Tensor.FromArray(new float[,] { { 3, 4 }, { 5, 6 } });

        var joined = Tensor.Cat([a, b]);
        var columns = Tensor.Cat([a, a], axis: 1);

        Assert.Equal(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, joined.ToArray());
        Assert.Equal(new[] { 1f, 2f, 1f, 2f }, columns.ToArray());
        Assert.Equal(new[] { 3f, 4f }, joined.Split([1, 1, 1])[1].ToArray());
    }
}
