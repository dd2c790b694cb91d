using Modular.NN;
using Modular.Tensors;
using Modular.Tests.Support;

namespace Modular.Tests.NN;

/// <summary>Attention dropout, which runs the attention spelled out in tensor operations rather than the fused kernel.</summary>
public class AttentionDropoutTests
{
    [Fact]
    public void Evaluation_ignores_attention_dropout_and_training_applies_it()
    {
        var withDropout = new MultiHeadSelfAttention(8, 2, new Rng(3), attentionDropout: 0.5f);
        var plain = new MultiHeadSelfAttention(8, 2, new Rng(3));
        using var x = TestTensors.Normal(1, 2, 5, 8);
        withDropout.Eval();
        plain.Eval();

        Assert.Equal(plain.Forward(x).ToArray(), withDropout.Forward(x).ToArray());

        withDropout.Train();
        var input = Tensor.FromArray(x.ToArray(), 2, 5, 8);
        input.RequiresGrad = true;
        var dropped = withDropout.Forward(input);
        dropped.Sum().Backward();

        Assert.NotEqual(plain.Forward(x).ToArray(), dropped.ToArray());
        Assert.All(input.Grad!.ToArray(), g => Assert.True(float.IsFinite(g)));
    }
}
