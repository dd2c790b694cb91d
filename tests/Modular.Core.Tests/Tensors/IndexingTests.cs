using Modular.Tensors;
using Modular.Tests.Support;
using Xunit.Abstractions;

namespace Modular.Tests.Tensors;

/// <summary>Embedding, gather, index-select, scatter-add, index-add, top-k, where, masked fill and one-hot.</summary>
public class IndexingTests(ITestOutputHelper output)
{
    private readonly GradientChecker gradients = new(output);

    [Fact]
    public void Embedding_adds_the_gradients_of_repeated_ids()
    {
        var ids = IntTensor.FromArray(new[,] { { 1, 4, 1 }, { 0, 4, 4 } });

        gradients.Verify(x => x[0].Embedding(ids), TestTensors.Normal(1, 5, 3));
    }

    [Fact]
    public void Embedding_looks_up_rows()
    {
        using var table = Tensor.FromArray(new float[,] { { 0, 1 }, { 10, 11 }, { 20, 21 } });

        var rows = table.Embedding(IntTensor.FromArray([2, 0, 2]));

        Assert.Equal([3, 2], rows.Shape.ToArray());
        Assert.Equal(new[] { 20f, 21f, 0f, 1f, 20f, 21f }, rows.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    public void Index_select_along_an_axis(int axis)
    {
        var index = IntTensor.FromArray([2, 0, 2, 1]);
        var table = TestTensors.Normal(2, 3, 6).Narrow(1, 0, 3); // a narrowed, non-contiguous leaf

        gradients.Verify(x => x[0].IndexSelect(axis, index), table);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Gather_along_an_axis(int axis)
    {
        var index = axis == 0
            ? IntTensor.FromArray(new[,] { { 2, 0, 1, 2 }, { 0, 0, 1, 1 } })
            : IntTensor.FromArray(new[,] { { 3, 3 }, { 0, 1 }, { 2, 0 } });

        gradients.Verify(x => x[0].Gather(axis, index), TestTensors.Normal(3, 3, 4));
    }

    [Fact]
    public void Gather_picks_values_like_PyTorch()
    {
        using var x = Tensor.FromArray(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });

        var picked = x.Gather(1, IntTensor.FromArray(new[,] { { 2, 0 }, { 1, 1 } }));

        Assert.Equal(new[] { 3f, 1f, 5f, 5f }, picked.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Scatter_add_to_target_and_source(int axis)
    {
        var index = axis == 0
            ? IntTensor.FromArray(new[,] { { 2, 0, 1, 2 }, { 2, 0, 0, 1 } })
            : IntTensor.FromArray(new[,] { { 3, 3 }, { 0, 1 }, { 2, 0 } });
        var source = axis == 0 ? TestTensors.Normal(4, 2, 4) : TestTensors.Normal(4, 3, 2);

        gradients.Verify(x => x[0].ScatterAdd(axis, index, x[1]), TestTensors.Normal(5, 3, 4), source);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Index_add_to_target_and_source(int axis)
    {
        var index = IntTensor.FromArray([1, 0, 1]);
        var source = axis == 0 ? TestTensors.Normal(6, 3, 4) : TestTensors.Normal(6, 2, 3);

        gradients.Verify(x => x[0].IndexAdd(axis, index, x[1]), TestTensors.Normal(7, 2, 4).Narrow(1, 0, axis == 0 ? 4 : 2), source);
    }

    [Fact]
    public void Index_add_accumulates_repeated_indices()
    {
        using var target = Tensor.Zeros(3);
        using var source = Tensor.FromArray([1f, 2f, 4f]);

        var sum = target.IndexAdd(0, IntTensor.FromArray([2, 0, 2]), source);

        Assert.Equal(new[] { 2f, 0f, 5f }, sum.ToArray());
    }

    [Theory]
    [InlineData(-1, true)]
    [InlineData(-1, false)]
    [InlineData(0, true)]
    public void Top_k_values(int axis, bool largest) =>
        gradients.Verify(x => x[0].TopK(2, axis, largest).Values, TestTensors.Distinct(8, 0.25f, 3, 5));

    [Fact]
    public void Top_k_returns_sorted_values_and_their_indices()
    {
        using var x = Tensor.FromArray(new float[,] { { 0.1f, 0.9f, 0.5f, 0.7f }, { 3f, 1f, 2f, 0f } });

        var (values, indices) = x.TopK(3);
        var (smallest, smallestAt) = x.TopK(1, axis: 0, largest: false);

        Assert.Equal(new[] { 0.9f, 0.7f, 0.5f, 3f, 2f, 1f }, values.ToArray());
        Assert.Equal(new[] { 1, 3, 2, 0, 2, 1 }, indices.ToArray());
        Assert.Equal(new[] { 0.1f, 0.9f, 0.5f, 0f }, smallest.ToArray());
        Assert.Equal(new[] { 0, 0, 0, 1 }, smallestAt.ToArray());
    }

    [Fact]
    public void Where_sends_each_gradient_to_the_chosen_branch()
    {
        using var condition = Tensor.FromArray([1f, 0f, 0f, 1f], 4, 1); // broadcast over columns

        gradients.Verify(x => Tensor.Where(condition, x[0], x[1]), TestTensors.Normal(9, 4, 3), TestTensors.Normal(10, 3));
    }

    [Fact]
    public void Masked_fill_stops_the_gradient_where_filled()
    {
        using var mask = Tensor.FromArray([0f, 1f, 0f, 0f, 1f, 1f], 2, 3);

        gradients.Verify(x => x[0].MaskedFill(mask, float.NegativeInfinity).Softmax(-1).Mul(x[0]), TestTensors.Normal(11, 2, 3));
    }

    [Fact]
    public void Masked_fill_with_minus_infinity_gives_zero_probability()
    {
        using var scores = Tensor.FromArray([1f, 2f, 3f], 1, 3);
        using var mask = Tensor.FromArray([0f, 0f, 1f], 1, 3);

        var p = scores.MaskedFill(mask, float.NegativeInfinity).Softmax(-1).ToArray();

        Assert.Equal(0f, p[2]);
        Assert.Equal(1 / (1 + Math.E), p[0], 6);
    }

    [Fact]
    public void One_hot_rows()
    {
        var y = Tensor.OneHot(IntTensor.FromArray([2, 0]), 3);

        Assert.Equal(new[] { 0f, 0f, 1f, 1f, 0f, 0f }, y.ToArray());
    }
}
