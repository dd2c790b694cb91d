using Modular.Tensors;

namespace Modular.Tests.Tensors;

public class MatMulTests
{
    [Fact]
    public void Two_by_two_product_matches_hand_computation()
    {
        using var a = Tensor.FromArray(new float[,] { { 1, 2 }, { 3, 4 } });
        using var b = Tensor.FromArray(new float[,] { { 5, 6 }, { 7, 8 } });
        using var c = a.MatMul(b);
        Assert.Equal(new float[] { 19, 22, 43, 50 }, c.ToArray());
    }
}
