using Modular.NN;
using Modular.Tensors;

namespace Modular.Tests.NN;

/// <summary>
/// Gradients reach every input through operations built from intermediate tensors. Disposing such an intermediate
/// used to turn it silently into a leaf, so gradients stopped there: the token table of the embeddings, and the
/// inputs of Mean, of vector MatMul and of Softmax / TopK along an inner axis, received none.
/// </summary>
public sealed class GraphLifetimeTests
{
    public static TheoryData<string> Operations => new("mean", "vector matmul", "matrix-vector matmul", "softmax on axis 0", "top-k on axis 0");

    [Theory]
    [MemberData(nameof(Operations))]
    public void The_gradient_reaches_the_input(string operation)
    {
        var x = new Parameter(Tensor.Randn(new Rng(1), 3, 3));
        var v = Tensor.FromArray(new[] { 1f, 2f, 3f });
        var y = operation switch
        {
            "mean" => x.Mean(0),
            "vector matmul" => v.MatMul(x),
            "matrix-vector matmul" => x.MatMul(v),
            "softmax on axis 0" => x.Softmax(0),
            _ => x.TopK(2, axis: 0).Values,
        };
        y.Mul(Tensor.Randn(new Rng(2), y.Shape.ToArray())).Sum().Backward();
        Assert.NotNull(x.Grad);
        Assert.Contains(x.Grad!.ToArray(), g => g != 0f);
    }

    [Fact]
    public void The_token_table_receives_its_gradient()
    {
        var embeddings = new TransformerEmbeddings(10, 4, 3, new Rng(1));
        embeddings.Forward(IntTensor.FromArray(new[] { 1, 2, 2, 7, 1, 1 }, 2, 3)).Sum().Backward();
        var grad = embeddings.Tokens.Weight.Grad!;
        Assert.Equal(new[] { 3f, 3f, 3f, 3f }, Row(grad, 1)); // id 1 appears three times
        Assert.Equal(new[] { 0f, 0f, 0f, 0f }, Row(grad, 0));
        Assert.Equal(new[] { 2f, 2f, 2f, 2f }, Row(embeddings.Positions.Grad!, 0)); // once per example
    }

    [Fact]
    public void Backward_through_a_disposed_intermediate_is_an_error_not_a_silent_zero()
    {
        var x = new Parameter(Tensor.Ones(2, 2));
        var hidden = x.Mul(3f);
        var loss = hidden.Sum();
        hidden.Dispose();
        var e = Assert.Throws<AutogradException>(loss.Backward);
        Assert.Contains("was disposed while the graph still needed it", e.Message, StringComparison.Ordinal);
    }

    private static float[] Row(Tensor t, int row) => t.ToArray().AsSpan(row * t.Size(1), t.Size(1)).ToArray();
}
