using Modular.Tensors;
using Modular.Tests.Support;
using Xunit.Abstractions;

namespace Modular.Tests.Tensors;

/// <summary>Matrix products: 2-D, batched, broadcast batches, vectors, transposed views; and Linear.</summary>
public class MatMulTests(ITestOutputHelper output)
{
    private readonly GradientChecker gradients = new(output);

    [Fact]
    public void Two_by_two_product_matches_hand_computation()
    {
        using var a = Tensor.FromArray(new float[,] { { 1, 2 }, { 3, 4 } });
        using var b = Tensor.FromArray(new float[,] { { 5, 6 }, { 7, 8 } });
        using var c = a.MatMul(b);
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c.ToArray());
    }

    public static TheoryData<int[], int[], int[]> Shapes() => new()
    {
        { [3, 4], [4, 5], [3, 5] },                   // 2-D
        { [2, 3, 4], [2, 4, 5], [2, 3, 5] },          // batched
        { [2, 1, 3, 4], [3, 4, 2], [2, 3, 3, 2] },    // batch dimensions broadcast both ways
        { [2, 3, 4], [4, 5], [2, 3, 5] },             // matrix applied to every batch
        { [4], [4, 5], [5] },                         // vector · matrix
        { [3, 4], [4], [3] },                         // matrix · vector
        { [4], [2, 4, 3], [2, 3] },                   // vector · batch
        { [4], [4], [] },                             // dot product
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Product_shape_and_gradients(int[] leftShape, int[] rightShape, int[] productShape)
    {
        var left = TestTensors.Normal(1, leftShape);
        var right = TestTensors.Normal(2, rightShape);

        Assert.Equal(productShape, left.MatMul(right).Shape.ToArray());
        gradients.Verify(x => x[0].MatMul(x[1]), left, right);
    }

    [Fact]
    public void Transposed_views_multiply_without_a_copy() =>
        gradients.Verify(x => x[0].T.MatMul(x[1].Transpose(-1, -2)), TestTensors.Normal(3, 4, 3), TestTensors.Normal(4, 2, 5, 4));

    [Fact]
    public void Dot_product_value()
    {
        using var a = Tensor.FromArray([1f, 2f, 3f]);
        using var b = Tensor.FromArray([4f, -5f, 6f]);

        Assert.Equal(12f, a.MatMul(b).Item());
    }

    [Fact]
    public void Linear_with_bias() =>
        gradients.Verify(x => x[0].Linear(x[1], x[2]), TestTensors.Normal(5, 3, 4), TestTensors.Normal(6, 5, 4), TestTensors.Normal(7, 5));

    [Fact]
    public void Linear_without_bias_on_a_3d_input() =>
        gradients.Verify(x => x[0].Linear(x[1]), TestTensors.Normal(8, 2, 3, 4), TestTensors.Normal(9, 5, 4));

    [Fact]
    public void Linear_with_a_transposed_weight_and_strided_input() =>
        gradients.Verify(x => x[0].Transpose(0, 1).Linear(x[1].T, x[2]), TestTensors.Normal(10, 4, 3), TestTensors.Normal(11, 4, 5), TestTensors.Normal(12, 5));

    [Fact]
    public void Linear_equals_matmul_with_the_transposed_weight_plus_bias()
    {
        var x = TestTensors.Normal(13, 2, 3, 4);
        var w = TestTensors.Normal(14, 5, 4);
        var b = TestTensors.Normal(15, 5);

        var viaLinear = x.Linear(w, b).ToArray();
        var viaMatMul = x.MatMul(w.T).Add(b).ToArray();

        for (int i = 0; i < viaLinear.Length; i++) Assert.Equal(viaMatMul[i], viaLinear[i], 5);
    }
}
