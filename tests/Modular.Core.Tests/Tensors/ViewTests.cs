using Modular.Tensors;
using Modular.Tests.Support;
using Xunit.Abstractions;

namespace Modular.Tests.Tensors;

/// <summary>Reshape, transpose, permute, narrow, expand, contiguous, unsqueeze, squeeze, flatten, clone.</summary>
public class ViewTests(ITestOutputHelper output)
{
    private readonly GradientChecker gradients = new(output);

    // Each view is multiplied by a fixed tensor of its own shape, so a gradient sent to the wrong element shows.

    [Fact] public void Reshape_with_an_inferred_dimension() => gradients.Verify(x => x[0].Reshape(3, -1), TestTensors.Normal(1, 2, 3, 2));

    [Fact] public void Reshape_of_a_transposed_view_copies() => gradients.Verify(x => x[0].T.Reshape(-1), TestTensors.Normal(2, 3, 4));

    [Fact] public void Transpose() => gradients.Verify(x => x[0].Transpose(0, 2), TestTensors.Normal(3, 2, 3, 4));

    [Fact] public void Permute() => gradients.Verify(x => x[0].Permute(2, 0, 1), TestTensors.Normal(4, 2, 3, 4));

    [Fact] public void Narrow() => gradients.Verify(x => x[0].Narrow(1, 1, 2), TestTensors.Normal(5, 2, 4, 3));

    [Fact] public void Narrow_from_the_end() => gradients.Verify(x => x[0].Narrow(0, -2, 2), TestTensors.Normal(6, 4, 3));

    [Fact] public void Expand_sums_the_gradient_of_repeated_elements() => gradients.Verify(x => x[0].Expand(2, 3, 4), TestTensors.Normal(7, 3, 1));

    [Fact] public void Contiguous_copy_of_a_permuted_view() => gradients.Verify(x => x[0].Permute(1, 0, 2).Contiguous(), TestTensors.Normal(8, 2, 3, 2));

    [Fact] public void Unsqueeze_and_squeeze() => gradients.Verify(x => [x[0].Unsqueeze(1), x[0].Unsqueeze(-1), x[1].Squeeze(1)], TestTensors.Normal(9, 2, 3), TestTensors.Normal(10, 2, 1, 3));

    [Fact] public void Flatten() => gradients.Verify(x => x[0].Flatten(1), TestTensors.Normal(11, 2, 3, 2));

    [Fact] public void Clone() => gradients.Verify(x => x[0].Clone(), TestTensors.Normal(12, 2, 3));

    [Fact]
    public void Views_share_memory_and_clone_does_not()
    {
        using var x = Tensor.FromArray(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });

        var transposed = x.T;
        var narrowed = x.Narrow(1, 1, 2);
        var clone = x.Clone();
        x[0, 1] = 20f;

        Assert.False(transposed.IsContiguous);
        Assert.Equal(20f, transposed[1, 0]);
        Assert.Equal(new[] { 20f, 3f, 5f, 6f }, narrowed.ToArray());
        Assert.Equal(2f, clone[0, 1]);
    }

    [Fact]
    public void Expand_repeats_without_copying()
    {
        using var column = Tensor.FromArray([1f, 2f], 2, 1);

        var wide = column.Expand(-1, 3);

        Assert.Equal(0, wide.Strides[1]);
        Assert.Equal(new[] { 1f, 1f, 1f, 2f, 2f, 2f }, wide.ToArray());
    }
}
