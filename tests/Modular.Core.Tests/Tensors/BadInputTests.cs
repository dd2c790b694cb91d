using Modular.NN;
using Modular.Tensors;

namespace Modular.Tests.Tensors;

/// <summary>Wrong shapes, ranks, axes and indices fail with a typed exception that names the operation and the shapes.</summary>
public class BadInputTests
{
    private static Tensor Zeros(params int[] shape) => Tensor.Zeros(shape);

    private static void Fails<TException>(Action action, params string[] mentions) where TException : ModularException
    {
        var error = Assert.Throws<TException>(action);
        foreach (var text in mentions) Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Shapes_that_do_not_broadcast() =>
        Fails<ShapeMismatchException>(() => Zeros(2, 3).Add(Zeros(4)), "Add", "[2, 3]", "[4]", "do not broadcast");

    [Fact]
    public void Named_tensors_are_named_in_broadcast_errors()
    {
        var weight = Zeros(3, 2);
        weight.Name = "encoder.layers.0.query.weight";

        Fails<ShapeMismatchException>(() => Zeros(2, 3).Mul(weight), "Mul", "'encoder.layers.0.query.weight'");
    }

    [Fact]
    public void Matmul_inner_dimensions_differ() =>
        Fails<ShapeMismatchException>(() => Zeros(2, 3).MatMul(Zeros(4, 5)), "MatMul", "[2, 3]", "[4, 5]", "inner dimensions");

    [Fact]
    public void Matmul_batch_dimensions_do_not_broadcast() =>
        Fails<ShapeMismatchException>(() => Zeros(2, 3, 4).MatMul(Zeros(3, 4, 5)), "MatMul (batch dimensions)", "[2]", "[3]");

    [Fact]
    public void Matmul_of_a_scalar() =>
        Fails<ShapeMismatchException>(() => Tensor.Scalar(1f).MatMul(Zeros(2, 2)), "MatMul", "rank", "[]");

    [Fact]
    public void Cat_pieces_differ_outside_the_axis() =>
        Fails<ShapeMismatchException>(() => Tensor.Cat([Zeros(2, 3), Zeros(2, 4)], 0), "Cat", "[2, 3]", "[2, 4]", "dimension 1");

    [Fact]
    public void Cat_pieces_of_different_rank() =>
        Fails<ShapeMismatchException>(() => Tensor.Cat([Zeros(2, 3), Zeros(2, 3, 1)], 1), "Cat", "rank 3", "rank 2");

    [Fact]
    public void Stack_pieces_of_different_shape() =>
        Fails<ShapeMismatchException>(() => Tensor.Stack([Zeros(2, 3), Zeros(3, 2)]), "Stack", "[2, 3]", "[3, 2]");

    [Fact]
    public void Linear_input_does_not_match_the_weight() =>
        Fails<ShapeMismatchException>(() => Zeros(2, 3).Linear(Zeros(5, 4)), "Linear", "[2, 3]", "[5, 4]");

    [Fact]
    public void Linear_bias_does_not_match_the_weight() =>
        Fails<ShapeMismatchException>(() => Zeros(2, 4).Linear(Zeros(5, 4), Zeros(4)), "Linear", "bias", "[4]", "[5, 4]");

    [Fact]
    public void Linear_weight_of_the_wrong_rank() =>
        Fails<ShapeMismatchException>(() => Zeros(2, 4).Linear(Zeros(4)), "Linear", "weight", "[4]", "2-D");

    [Fact]
    public void Cross_entropy_targets_of_the_wrong_shape() =>
        Fails<ShapeMismatchException>(() => Losses.CrossEntropy(Zeros(4, 5), IntTensor.Zeros(3)), "CrossEntropy", "[3]", "[4, 5]", "[4]");

    [Fact]
    public void Cross_entropy_target_outside_the_classes() =>
        Fails<IndexOutOfRangeModularException>(() => Losses.CrossEntropy(Zeros(3, 5), IntTensor.FromArray([0, 4, 7])),
            "CrossEntropy", "[3, 5]", "position [2]", "is 7", "[0, 5)", "ignore index -100");

    [Fact]
    public void Embedding_id_outside_the_vocabulary() =>
        Fails<IndexOutOfRangeModularException>(() => Zeros(5, 3).Embedding(IntTensor.FromArray(new[,] { { 0, 1 }, { 5, 2 } })),
            "Embedding", "[5, 3]", "position [1, 0]", "is 5", "[0, 5)");

    [Fact]
    public void Embedding_table_of_the_wrong_rank() =>
        Fails<ShapeMismatchException>(() => Zeros(5).Embedding(IntTensor.FromArray([0])), "Embedding", "[5]", "2-D");

    [Fact]
    public void Gather_index_outside_the_axis() =>
        Fails<IndexOutOfRangeModularException>(() => Zeros(2, 3).Gather(1, IntTensor.FromArray([0, 3, 1, 1], 2, 2)), "Gather", "[2, 3]", "is 3", "[0, 3)");

    [Fact]
    public void Gather_index_of_the_wrong_shape() =>
        Fails<ShapeMismatchException>(() => Zeros(2, 3).Gather(1, IntTensor.FromArray([0, 1, 1], 3, 1)), "Gather", "[3, 1]", "[2, 3]");

    [Fact]
    public void Index_select_index_outside_the_axis() =>
        Fails<IndexOutOfRangeModularException>(() => Zeros(2, 3).IndexSelect(0, IntTensor.FromArray([1, -1])), "IndexSelect", "[2, 3]", "is -1");

    [Fact]
    public void Index_add_source_of_the_wrong_shape() =>
        Fails<ShapeMismatchException>(() => Zeros(4, 3).IndexAdd(0, IntTensor.FromArray([1, 2]), Zeros(2, 4)), "IndexAdd", "[2, 4]", "[2, 3]");

    [Fact]
    public void Scatter_add_source_of_the_wrong_shape() =>
        Fails<ShapeMismatchException>(() => Zeros(2, 3).ScatterAdd(1, IntTensor.Zeros(2, 2), Zeros(2, 3)), "ScatterAdd", "[2, 3]", "[2, 2]");

    [Theory]
    [InlineData("Sum")]
    [InlineData("Max")]
    [InlineData("Softmax")]
    [InlineData("Transpose")]
    [InlineData("TopK")]
    public void Axis_out_of_range(string op)
    {
        var x = Zeros(2, 3);
        Action call = op switch
        {
            "Sum" => () => x.Sum(2),
            "Max" => () => x.Max(-3),
            "Softmax" => () => x.Softmax(2),
            "Transpose" => () => x.Transpose(0, 5),
            _ => () => x.TopK(1, axis: 2),
        };

        Fails<IndexOutOfRangeModularException>(call, op, "out of range", "[2, 3]", "rank 2");
    }

    [Fact]
    public void Narrow_range_outside_the_dimension() =>
        Fails<IndexOutOfRangeModularException>(() => Zeros(2, 3).Narrow(1, 2, 2), "Narrow", "[2, 4)", "size 3", "[2, 3]");

    [Fact]
    public void Top_k_larger_than_the_dimension() =>
        Fails<IndexOutOfRangeModularException>(() => Zeros(2, 3).TopK(4), "TopK", "k = 4", "[2, 3]");

    [Fact]
    public void Reshape_to_a_different_element_count() =>
        Fails<ShapeMismatchException>(() => Zeros(2, 3).Reshape(4, 2), "Reshape", "[2, 3]", "6 elements", "[4, 2]");

    [Fact]
    public void Squeeze_of_a_dimension_that_is_not_one() =>
        Fails<ShapeMismatchException>(() => Zeros(2, 3).Squeeze(1), "Squeeze", "[2, 3]", "size 3");

    [Fact]
    public void Expand_of_a_dimension_that_is_not_one() =>
        Fails<ShapeMismatchException>(() => Zeros(2, 3).Expand(4, 3), "Expand", "[2, 3]", "[4, 3]");

    [Fact]
    public void Expand_with_minus_one_for_a_new_leading_dimension() =>
        Fails<ShapeMismatchException>(() => Zeros(2, 3).Expand(-1, 2, 3), "Expand", "[-1, 2, 3]", "[2, 3]");

    [Fact]
    public void Permute_with_a_repeated_axis() =>
        Fails<ShapeMismatchException>(() => Zeros(2, 3).Permute(0, 0), "Permute", "twice");

    [Fact]
    public void Split_sizes_that_do_not_add_up() =>
        Fails<ShapeMismatchException>(() => Zeros(2, 6).Split([2, 3], 1), "Split", "[2, 3]", "add up to 5", "size 6");

    [Fact]
    public void Layer_norm_weight_of_the_wrong_size() =>
        Fails<ShapeMismatchException>(() => Zeros(2, 4).LayerNorm(Zeros(3)), "LayerNorm", "[3]", "[2, 4]", "[4]");

    [Fact]
    public void Losses_on_mismatched_shapes()
    {
        Fails<ShapeMismatchException>(() => Losses.Mse(Zeros(2, 3), Zeros(3, 2)), "Mse", "[2, 3]", "[3, 2]");
        Fails<ShapeMismatchException>(() => Losses.BinaryCrossEntropyWithLogits(Zeros(4), Zeros(4, 1)), "BinaryCrossEntropyWithLogits", "[4]", "[4, 1]");
    }

    [Fact]
    public void Where_branches_that_do_not_broadcast() =>
        Fails<ShapeMismatchException>(() => Tensor.Where(Zeros(2, 3), Zeros(2, 3), Zeros(2)), "Where", "[2, 3]", "[2]");
}
