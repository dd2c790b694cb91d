using Modular.Tensors;
using TorchSharp;
using Tensor = Modular.Tensors.Tensor;

namespace Modular.TorchSharp.Tests;

public class TensorConversionTests
{
    // Values whose bits a conversion through another type or a rounding step would change.
    private static readonly float[] Awkward =
    [
        0f, -0f, 1f, -1.5f, float.Epsilon, -float.Epsilon, 1.17549421e-38f /* subnormal */, float.MaxValue, float.MinValue,
        float.PositiveInfinity, float.NegativeInfinity, BitConverter.Int32BitsToSingle(0x7fc12345) /* NaN with payload */,
        0.1f, 1f / 3f, 16777217f, 3.14159274f, -2.7182817f, 1e-30f, 6.02214076e23f, 123456.789f, 0.999999940f, 2f, 4f, 8f,
    ];

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];

    [Fact]
    public void Round_trip_is_exact_to_the_bit_and_keeps_the_shape()
    {
        using var scope = torch.NewDisposeScope();
        var modular = Tensor.FromArray(Awkward, 2, 3, 4);
        var t = modular.ToTorch();
        Assert.Equal(torch.ScalarType.Float32, t.dtype);
        Assert.Equal([2L, 3, 4], t.shape);
        Assert.Equal(Bits(Awkward), Bits(t.data<float>().ToArray()));
        var back = Tensor.FromTorch(t);
        Assert.Equal(modular.Shape, back.Shape);
        Assert.Equal(Bits(Awkward), Bits(back.ToArray()));
    }

    [Fact]
    public void Transposed_and_strided_views_convert_in_the_order_of_their_shape()
    {
        using var scope = torch.NewDisposeScope();
        var modular = Tensor.FromArray(Awkward, 4, 6);
        foreach (var view in new[] { modular.T, modular.Narrow(1, 1, 3), modular.Permute(1, 0).Narrow(0, 2, 3), modular.Reshape(2, 2, 6).Transpose(0, 2) })
        {
            Assert.False(view.IsContiguous);
            var t = view.ToTorch();
            Assert.Equal(view.Shape.Select(d => (long)d), t.shape);
            Assert.Equal(Bits(view.ToArray()), Bits(t.contiguous().data<float>().ToArray()));
        }
        // and the same on libtorch's side: a transposed, a sliced and a stepped view
        var source = torch.tensor(Awkward, [4, 6]);
        foreach (var view in new[] { source.t(), source.narrow(1, 2, 3), source[.., torch.TensorIndex.Slice(0, 6, 2)] })
        {
            var m = Tensor.FromTorch(view);
            Assert.Equal(view.shape, m.Shape.Select(d => (long)d));
            Assert.Equal(Bits(view.contiguous().data<float>().ToArray()), Bits(m.ToArray()));
        }
    }

    [Fact]
    public void Scalars_and_empty_tensors_convert()
    {
        using var scope = torch.NewDisposeScope();
        var scalar = Tensor.Scalar(-2.5f).ToTorch();
        Assert.Empty(scalar.shape);
        Assert.Equal(-2.5f, scalar.item<float>());
        Assert.Equal(0, Tensor.FromTorch(scalar).Rank);
        Assert.Equal(-2.5f, Tensor.FromTorch(scalar).Item());

        var empty = Tensor.Zeros(0, 3).ToTorch();
        Assert.Equal([0L, 3], empty.shape);
        Assert.Equal(TensorShape.Of(0, 3), Tensor.FromTorch(torch.empty(0, 3)).Shape);
    }

    [Fact]
    public void Other_floating_types_convert_and_integers_are_refused()
    {
        using var scope = torch.NewDisposeScope();
        var halves = torch.tensor(new float[] { 1f, -0.5f, 65504f, 0.000061035156f }).to(torch.float16);
        Assert.Equal(new float[] { 1f, -0.5f, 65504f, 0.000061035156f }, Tensor.FromTorch(halves).ToArray());
        var bf16 = torch.tensor(new float[] { 1f, -3f, 0.15625f }).to(torch.bfloat16);
        Assert.Equal(new float[] { 1f, -3f, 0.15625f }, Tensor.FromTorch(bf16).ToArray());
        var doubles = torch.tensor(new double[] { 0.1, 1.0 / 3.0, 2.5 });
        Assert.Equal(new float[] { 0.1f, 1f / 3f, 2.5f }, Tensor.FromTorch(doubles).ToArray());

        var ids = torch.arange(6, torch.int64).reshape(2, 3);
        var e = Assert.Throws<TorchInteropException>(() => Tensor.FromTorch(ids));
        Assert.Contains("Int64 [2, 3]", e.Message, StringComparison.Ordinal);
        Assert.Contains("torch.float32", e.Message, StringComparison.Ordinal);
        Assert.Throws<TorchInteropException>(() => Tensor.FromTorch(torch.ones(2, torch.@bool)));
    }

    [Fact]
    public void Conversions_copy_so_later_writes_on_either_side_do_not_leak()
    {
        using var scope = torch.NewDisposeScope();
        var modular = Tensor.FromArray([1f, 2f, 3f]);
        var t = modular.ToTorch();
        modular[0] = 100f;
        Assert.Equal(1f, t[0].item<float>());
        var back = Tensor.FromTorch(t);
        t[1] = torch.tensor(50f);
        Assert.Equal(new float[] { 1f, 2f, 3f }, back.ToArray());
    }

    [Fact]
    public void Converted_tensors_are_disposed_by_the_scope_they_were_made_in()
    {
        torch.Tensor kept;
        using (var scope = torch.NewDisposeScope())
        {
            kept = Tensor.FromArray([1f, 2f]).ToTorch();
            Assert.False(kept.IsInvalid);
        }
        Assert.True(kept.IsInvalid);
    }
}
