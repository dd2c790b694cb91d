using Modular.Tensors;
using Modular.Tests.Support;
using Xunit.Abstractions;

namespace Modular.Tests.Tensors;

/// <summary>The fused multi-head attention against its composition from MatMul and Softmax, finite differences and bad shapes.</summary>
public class AttentionTests(ITestOutputHelper output)
{
    private readonly GradientChecker gradients = new(output);

    /// <summary>Attention spelled out: heads by reshape and transpose, scaled scores, masked softmax, weighted values.</summary>
    private static Tensor Composed(Tensor q, Tensor k, Tensor v, int heads, Tensor? keyMask)
    {
        int batch = q.Size(0), queries = q.Size(1), width = q.Size(2), keys = k.Size(1), dh = width / heads;
        var qh = q.Reshape(batch, queries, heads, dh).Transpose(1, 2);
        var kh = k.Reshape(batch, keys, heads, dh).Transpose(1, 2);
        var vh = v.Reshape(batch, keys, heads, dh).Transpose(1, 2);
        var scores = qh.MatMul(kh.Transpose(-1, -2)).Mul(1f / MathF.Sqrt(dh));
        if (keyMask is not null) scores = scores.MaskedFill((1f - keyMask).Reshape(batch, 1, 1, keys), float.NegativeInfinity);
        return scores.Softmax(-1).MatMul(vh).Transpose(1, 2).Reshape(batch, queries, width);
    }

    /// <summary>
    /// Values and the gradients of query, key and value equal the composition's, with more keys than queries (as
    /// prefix tuning makes) and with padded keys, for head widths on and off the SIMD width.
    /// </summary>
    [Theory]
    [InlineData(2, 5, 7, 12, 3, false)]
    [InlineData(2, 5, 7, 12, 3, true)]
    [InlineData(3, 16, 16, 64, 2, true)]
    [InlineData(1, 9, 40, 24, 4, false)]
    public void Matches_the_composition_of_matmul_and_softmax(int batch, int queries, int keys, int width, int heads, bool masked)
    {
        using var q = TestTensors.Normal(1, batch, queries, width);
        using var k = TestTensors.Normal(2, batch, keys, width);
        using var v = TestTensors.Normal(3, batch, keys, width);
        using var weights = TestTensors.Normal(4, batch, queries, width);
        var mask = masked ? KeyMask(batch, keys) : null;

        var (fused, fusedGrads) = Run((a, b, c) => Tensor.ScaledDotProductAttention(a, b, c, heads, mask), q, k, v, weights);
        var (composed, composedGrads) = Run((a, b, c) => Composed(a, b, c, heads, mask), q, k, v, weights);

        AssertClose(composed, fused, "output");
        for (int i = 0; i < 3; i++) AssertClose(composedGrads[i], fusedGrads[i], $"gradient of {"qkv"[i]}");
    }

    [Fact]
    public void Gradients_match_finite_differences_with_a_key_mask()
    {
        var mask = KeyMask(2, 6);
        gradients.Verify(x => Tensor.ScaledDotProductAttention(x[0], x[1], x[2], 2, mask),
            TestTensors.Normal(5, 2, 4, 8), TestTensors.Normal(6, 2, 6, 8), TestTensors.Normal(7, 2, 6, 8));
    }

    /// <summary>Scores around 10¹⁰: the softmax subtracts the maximum of the scaled scores, so nothing overflows.</summary>
    [Fact]
    public void Huge_scores_stay_finite_and_match_the_composition()
    {
        using var q = Tensor.FromArray([1f, 1f, 0.5f, -1f], 1, 2, 2);
        using var k = Tensor.FromArray([3e9f, 7e9f, -1f, 2f, 1e10f, -4e9f], 1, 3, 2);

        var fused = Tensor.ScaledDotProductAttention(q, k, k, 1).ToArray();
        var composed = Composed(q, k, k, 1, null).ToArray();

        Assert.All(fused, value => Assert.True(float.IsFinite(value)));
        AssertClose(composed, fused, "output");
    }

    /// <summary>A strided query, gradients wanted for the key only, and no queries at all.</summary>
    [Fact]
    public void Strided_inputs_partial_gradients_and_empty_queries()
    {
        using var stored = TestTensors.Normal(8, 2, 12, 3); // q is its [2, 3, 12] transpose: not contiguous
        using var v = TestTensors.Normal(9, 2, 5, 12);
        var k = Tensor.FromArray(TestTensors.Normal(10, 2, 5, 12).ToArray(), 2, 5, 12);
        k.RequiresGrad = true;
        var kComposed = Tensor.FromArray(k.ToArray(), 2, 5, 12);
        kComposed.RequiresGrad = true;
        var q = stored.Transpose(1, 2);

        Tensor.ScaledDotProductAttention(q, k, v, 3).Square().Sum().Backward();
        Composed(q, kComposed, v, 3, null).Square().Sum().Backward();

        AssertClose(kComposed.Grad!.ToArray(), k.Grad!.ToArray(), "gradient of k");
        Assert.Equal([2, 0, 12], Tensor.ScaledDotProductAttention(Tensor.Zeros(2, 0, 12), k, v, 3).Shape.ToArray());
    }

    /// <summary>
    /// Only the gradients of the inputs that want one are computed (the bits of <paramref name="wanted"/>: 1 query, 2 key,
    /// 4 value); each equals its value when all three are wanted, so the score gradients that dq and dk share are made
    /// whenever either is wanted.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void Only_the_wanted_gradients_are_computed_and_each_is_the_full_one(int wanted)
    {
        using var q = TestTensors.Normal(11, 2, 4, 12);
        using var k = TestTensors.Normal(12, 2, 6, 12);
        using var v = TestTensors.Normal(13, 2, 6, 12);
        using var weights = TestTensors.Normal(14, 2, 4, 12);
        var mask = KeyMask(2, 6);
        var (_, all) = Run((a, b, c) => Tensor.ScaledDotProductAttention(a, b, c, 3, mask), q, k, v, weights);

        var inputs = new[] { q, k, v }.Select((t, i) =>
        {
            var copy = Tensor.FromArray(t.ToArray(), t.Shape.ToArray());
            copy.RequiresGrad = (wanted & (1 << i)) != 0;
            return copy;
        }).ToArray();
        Tensor.ScaledDotProductAttention(inputs[0], inputs[1], inputs[2], 3, mask).Mul(weights).Sum().Backward();

        for (int i = 0; i < 3; i++)
        {
            if ((wanted & (1 << i)) == 0) Assert.Null(inputs[i].Grad);
            else AssertClose(all[i], inputs[i].Grad!.ToArray(), $"gradient of {"qkv"[i]}");
        }
    }

    [Fact]
    public void A_query_whose_keys_are_all_masked_gets_NaN_as_in_PyTorch()
    {
        using var q = TestTensors.Normal(1, 2, 3, 4);
        using var k = TestTensors.Normal(2, 2, 5, 4);
        using var mask = Tensor.FromArray([1f, 1f, 0f, 1f, 0f, 0f, 0f, 0f, 0f, 0f], 2, 5);

        var y = Tensor.ScaledDotProductAttention(q, k, k, 2, mask).ToArray();

        Assert.All(y.Take(12), value => Assert.True(float.IsFinite(value)));
        Assert.All(y.Skip(12), value => Assert.True(float.IsNaN(value)));
    }

    [Fact]
    public void Bad_shapes_are_refused_with_what_to_pass()
    {
        using var q = TestTensors.Normal(1, 2, 3, 8);
        using var k = TestTensors.Normal(2, 2, 5, 8);

        Assert.Contains("must both be [2, keys, 8]", Assert.Throws<ShapeMismatchException>(() => Tensor.ScaledDotProductAttention(q, k, TestTensors.Normal(3, 2, 4, 8), 2)).Message, StringComparison.Ordinal);
        Assert.Contains("positive multiple of heads (3)", Assert.Throws<ShapeMismatchException>(() => Tensor.ScaledDotProductAttention(q, k, k, 3)).Message, StringComparison.Ordinal);
        Assert.Contains("key mask tensor [2, 3] must be [batch, keys] = [2, 5]", Assert.Throws<ShapeMismatchException>(() => Tensor.ScaledDotProductAttention(q, k, k, 2, Tensor.Ones(2, 3))).Message, StringComparison.Ordinal);
        Assert.Contains("must be [batch, length, width]", Assert.Throws<ShapeMismatchException>(() => Tensor.ScaledDotProductAttention(q.Reshape(6, 8), k, k, 2)).Message, StringComparison.Ordinal);
        Assert.Contains("no positions to attend to", Assert.Throws<ShapeMismatchException>(() => Tensor.ScaledDotProductAttention(q, Tensor.Zeros(2, 0, 8), Tensor.Zeros(2, 0, 8), 2)).Message, StringComparison.Ordinal);
    }

    /// <summary>Pads the last keys of the first batch item and the first key of the others.</summary>
    private static Tensor KeyMask(int batch, int keys)
    {
        var values = new float[batch * keys];
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < keys; j++)
                values[b * keys + j] = b == 0 ? (j < keys - 2 ? 1f : 0f) : (j == 0 ? 0f : 1f);
        return Tensor.FromArray(values, batch, keys);
    }

    /// <summary>Runs attention on fresh leaves and backpropagates (y ⊙ weights).sum(); returns y and the three gradients.</summary>
    private static (float[] Output, float[][] Gradients) Run(Func<Tensor, Tensor, Tensor, Tensor> attention, Tensor q, Tensor k, Tensor v, Tensor weights)
    {
        var leaves = new[] { q, k, v }.Select(t => { var leaf = Tensor.FromArray(t.ToArray(), t.Shape.ToArray()); leaf.RequiresGrad = true; return leaf; }).ToArray();
        var y = attention(leaves[0], leaves[1], leaves[2]);
        y.Mul(weights).Sum().Backward();
        return (y.ToArray(), leaves.Select(leaf => leaf.Grad!.ToArray()).ToArray());
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 + 1e-4 * Math.Abs(expected[i]), $"{what}[{i}]: fused {actual[i]:G9}, composed {expected[i]:G9}");
    }
}
