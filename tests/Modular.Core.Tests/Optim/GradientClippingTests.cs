using Modular.NN;
using Modular.Optim;
using Modular.Tensors;

namespace Modular.Tests.Optim;

/// <summary>Clipping by the global L2 norm of all gradients.</summary>
public sealed class GradientClippingTests
{
    private static Parameter WithGradient(string name, params float[] gradient) =>
        new(Tensor.ZerosLike(Tensor.FromArray(gradient))) { Name = name, Grad = Tensor.FromArray(gradient) };

    [Fact]
    public void Gradients_above_the_limit_are_scaled_together_to_it()
    {
        var a = WithGradient("a", 3f, 4f);
        var b = WithGradient("b", 12f);
        float norm = GradientClipping.ClipGlobalNorm([a, b], 6.5f); // ‖(3, 4, 12)‖ = 13
        Assert.Equal(13f, norm);
        float scale = 6.5f / (13f + 1e-6f);
        Assert.Equal(new[] { 3f * scale, 4f * scale }, a.Grad!.ToArray());
        Assert.Equal(new[] { 12f * scale }, b.Grad!.ToArray());
    }

    [Fact]
    public void Gradients_within_the_limit_and_parameters_without_gradients_are_untouched()
    {
        var a = WithGradient("a", 3f, 4f);
        var none = new Parameter(Tensor.Zeros(2));
        Assert.Equal(5f, GradientClipping.ClipGlobalNorm([a, none], 10f));
        Assert.Equal(new[] { 3f, 4f }, a.Grad!.ToArray());
        Assert.Null(none.Grad);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void A_non_finite_gradient_is_reported_with_the_parameter_path(float bad)
    {
        var model = new Sequential(new Linear(2, 2, new Rng(0)), new Linear(2, 1, new Rng(1)));
        foreach (var p in model.Parameters()) p.Grad = Tensor.Ones(p.Shape.ToArray());
        model.Get<Linear>("1").Bias!.Grad![0] = bad;
        var e = Assert.Throws<NonFiniteValueException>(() => GradientClipping.ClipGlobalNorm(model.Parameters(), 1f));
        Assert.Contains("'1.bias'", e.Message, StringComparison.Ordinal);
        Assert.Equal(1f, model.Get<Linear>("0").Weight.Grad![0, 0]); // nothing was scaled
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    public void The_limit_must_be_positive(float maxNorm)
    {
        Assert.Throws<ConfigurationException>(() => GradientClipping.ClipGlobalNorm([WithGradient("a", 1f)], maxNorm));
    }
}
