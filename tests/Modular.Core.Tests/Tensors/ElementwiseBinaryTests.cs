using Modular.Tensors;
using Modular.Tests.Support;
using Xunit.Abstractions;

namespace Modular.Tests.Tensors;

/// <summary>Add, Sub, Mul, Div, Maximum, Minimum: gradients under every broadcasting pattern and on strided views.</summary>
public class ElementwiseBinaryTests(ITestOutputHelper output)
{
    private readonly GradientChecker gradients = new(output);

    private static Tensor Apply(string op, Tensor a, Tensor b) => op switch
    {
        "add" => a.Add(b),
        "sub" => a.Sub(b),
        "mul" => a.Mul(b),
        "div" => a.Div(b),
        "maximum" => a.Maximum(b),
        "minimum" => a.Minimum(b),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    public static TheoryData<string, int[], int[]> Broadcasts()
    {
        var data = new TheoryData<string, int[], int[]>();
        foreach (var op in new[] { "add", "sub", "mul", "div" })
        {
            data.Add(op, [2, 3], [2, 3]);       // same shape
            data.Add(op, [2, 3], [3]);          // right operand broadcast over rows
            data.Add(op, [3], [2, 3]);          // left operand broadcast over rows
            data.Add(op, [2, 1, 4], [3, 1]);    // both broadcast: result [2, 3, 4]
            data.Add(op, [2, 3], []);           // scalar tensor on the right
            data.Add(op, [], [2, 3]);           // scalar tensor on the left
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Broadcasts))]
    public void Gradient_sums_over_broadcast_dimensions(string op, int[] leftShape, int[] rightShape)
    {
        var left = TestTensors.Normal(1, leftShape);
        var right = TestTensors.AwayFromZero(2, 0.5f, rightShape); // divisors kept away from zero

        gradients.Verify(x => Apply(op, x[0], x[1]), left, right);
    }

    [Theory]
    [InlineData("add")]
    [InlineData("sub")]
    [InlineData("mul")]
    [InlineData("div")]
    [InlineData("maximum")]
    [InlineData("minimum")]
    public void Gradient_flows_through_transposed_and_narrowed_operands(string op)
    {
        var left = TestTensors.Distinct(3, 0.25f, 4, 3);
        var right = TestTensors.Distinct(4, 0.25f, 3, 6).Add(0.125f); // never equal to a value of left, never zero

        gradients.Verify(x => Apply(op, x[0].Transpose(0, 1), x[1].Narrow(1, 1, 4)), left, right);
    }

    [Theory]
    [InlineData("maximum")]
    [InlineData("minimum")]
    public void Maximum_and_minimum_route_the_gradient_to_the_chosen_input(string op)
    {
        var left = TestTensors.Distinct(5, 0.25f, 2, 3);
        var right = TestTensors.Distinct(6, 0.25f, 3).Add(0.125f);

        gradients.Verify(x => Apply(op, x[0], x[1]), left, right);
    }

    [Fact]
    public void Maximum_splits_the_gradient_evenly_on_ties_as_PyTorch_does()
    {
        using var a = Tensor.FromArray([1f, 2f, 3f], 3);
        using var b = Tensor.FromArray([1f, 5f, 0f], 3);
        a.RequiresGrad = b.RequiresGrad = true;

        using var seed = Tensor.FromArray([10f, 20f, 30f], 3);
        a.Maximum(b).Backward(seed);

        Assert.Equal(new[] { 5f, 0f, 30f }, a.Grad!.ToArray());
        Assert.Equal(new[] { 5f, 20f, 0f }, b.Grad!.ToArray());
    }

    [Fact]
    public void Scalar_arithmetic_has_the_gradient_of_its_constant()
    {
        gradients.Verify(x => x[0].Add(1.5f).Mul(-2f), TestTensors.Normal(7, 2, 3));
        gradients.Verify(x => (3f - x[0]) / 4f, TestTensors.Normal(8, 2, 3));
    }

    [Fact]
    public void Non_contiguous_leaves_receive_their_gradients()
    {
        gradients.Verify(x => x[0].Mul(x[1]), TestTensors.TransposedLeaf(9, 3, 4), TestTensors.TransposedLeaf(10, 3, 4));
    }

    [Fact]
    public void Operators_compute_the_documented_values()
    {
        using var a = Tensor.FromArray([1f, -2f, 6f], 3);
        using var b = Tensor.FromArray([4f, 5f, -3f], 3);

        Assert.Equal(new[] { 5f, 3f, 3f }, (a + b).ToArray());
        Assert.Equal(new[] { -3f, -7f, 9f }, (a - b).ToArray());
        Assert.Equal(new[] { 4f, -10f, -18f }, (a * b).ToArray());
        Assert.Equal(new[] { 0.25f, -0.4f, -2f }, (a / b).ToArray());
        Assert.Equal(new[] { 4f, 5f, 6f }, a.Maximum(b).ToArray());
        Assert.Equal(new[] { 1f, -2f, -3f }, a.Minimum(b).ToArray());
    }
}
