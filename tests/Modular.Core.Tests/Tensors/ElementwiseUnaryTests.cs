using Modular.Tensors;
using Modular.Tests.Support;
using Xunit.Abstractions;

namespace Modular.Tests.Tensors;

/// <summary>Neg, Exp, Log, Sqrt, Pow, Abs, Clamp and the activations: gradients, on dense and strided inputs.</summary>
public class ElementwiseUnaryTests(ITestOutputHelper output)
{
    private readonly GradientChecker gradients = new(output);

    /// <summary>Values spread over the whole useful range (tails included) and at least 0.1 away from the kinks at 0 and ±0.5.</summary>
    private static Tensor Spread() => Tensor.FromArray(
        [-6.2f, -3.1f, -1.7f, -0.9f, -0.35f, -0.15f, 0.12f, 0.3f, 0.65f, 1.2f, 2.4f, 7.5f], 3, 4);

    [Fact] public void Neg() => gradients.Verify(x => x[0].Neg(), TestTensors.Normal(1, 3, 4));

    [Fact] public void Exp() => gradients.Verify(x => x[0].Exp(), TestTensors.Normal(2, 3, 4));

    [Fact] public void Log() => gradients.Verify(x => x[0].Log(), TestTensors.Uniform(3, 0.3f, 4f, 3, 4));

    [Fact] public void Sqrt() => gradients.Verify(x => x[0].Sqrt(), TestTensors.Uniform(4, 0.3f, 4f, 3, 4));

    [Theory]
    [InlineData(2f)]
    [InlineData(3f)]
    [InlineData(-1f)]
    [InlineData(-2f)]
    [InlineData(0.5f)]
    [InlineData(1.5f)]
    [InlineData(-0.5f)]
    public void Pow_on_positive_bases(float exponent) =>
        gradients.Verify(x => x[0].Pow(exponent), TestTensors.Uniform(5, 0.5f, 2.5f, 3, 4));

    [Theory]
    [InlineData(2f)]
    [InlineData(3f)]
    [InlineData(-1f)]
    public void Pow_with_integer_exponent_on_negative_bases(float exponent) =>
        gradients.Verify(x => x[0].Pow(exponent), TestTensors.AwayFromZero(6, 0.5f, 3, 4));

    [Fact]
    public void Pow_with_exponent_zero_has_zero_gradient_even_at_zero()
    {
        using var x = Tensor.FromArray([0f, 2f, -3f], 3);
        x.RequiresGrad = true;

        x.Pow(0f).Sum().Backward();

        Assert.Equal(new[] { 1f, 1f, 1f }, x.Pow(0f).ToArray());
        Assert.Equal(new[] { 0f, 0f, 0f }, x.Grad!.ToArray());
    }

    [Fact] public void Square() => gradients.Verify(x => x[0].Square(), TestTensors.Normal(7, 3, 4));

    [Fact] public void Abs() => gradients.Verify(x => x[0].Abs(), Spread());

    [Fact] public void Clamp() => gradients.Verify(x => x[0].Clamp(-0.5f, 0.5f), Spread());

    [Fact] public void Relu() => gradients.Verify(x => x[0].Relu(), Spread());

    [Fact] public void Gelu() => gradients.Verify(x => x[0].Gelu(), Spread());

    [Fact] public void Tanh() => gradients.Verify(x => x[0].Tanh(), Spread());

    [Fact] public void Sigmoid() => gradients.Verify(x => x[0].Sigmoid(), Spread());

    [Fact] public void Softplus() => gradients.Verify(x => x[0].Softplus(), Spread());

    [Fact]
    public void Activations_of_a_transposed_view() =>
        gradients.Verify(x => x[0].Transpose(0, 1).Gelu().Mul(x[0].Transpose(0, 1).Tanh()), Spread());

    public static TheoryData<string> Functions() => ["exp", "tanh", "sigmoid", "softplus", "gelu"];

    /// <summary>
    /// Each function on ±10⁻⁶ … ±4.8, as 96 values so that the SIMD loop and the scalar tail both run, against a double
    /// reference: full float32 relative precision (10⁻⁶ = 16 ulps), including near zero where formulas such as
    /// (1 − e⁻²ˣ)/(1 + e⁻²ˣ) for tanh cancel. (The golden tests cannot see this: their absolute floor hides it.) Further
    /// out GELU's relative error grows like x²·ε, since exp(−x²/2) is taken of a rounded float32 argument: 2.5·10⁻⁶ at
    /// x = −6, where |GELU(x)| &lt; 10⁻⁸ and PyTorch's float32 GELU already returns 0.
    /// </summary>
    [Theory]
    [MemberData(nameof(Functions))]
    public void Keeps_full_relative_precision_from_tiny_to_large_inputs(string function)
    {
        var magnitudes = new[] { 1e-6f, 1e-5f, 1e-4f, 1e-3f, 0.01f, 0.05f, 0.1f, 0.2f, 0.24f, 0.26f, 0.5f, 1f, 1.5f, 2f, 3f, 4f };
        var values = Enumerable.Range(0, 96).Select(i => magnitudes[i % 16] * (i / 16 % 2 == 0 ? 1 : -1) * (1 + i / 32 * 0.1f)).ToArray();
        using var x = Tensor.FromArray(values);
        (Func<Tensor, Tensor> op, Func<double, double> reference) = function switch
        {
            "exp" => (t => t.Exp(), Math.Exp),
            "tanh" => (t => t.Tanh(), Math.Tanh),
            "sigmoid" => (t => t.Sigmoid(), v => 1 / (1 + Math.Exp(-v))),
            "softplus" => (t => t.Softplus(), v => v > 0 ? v + Math.Log(1 + Math.Exp(-v)) : Math.Log(1 + Math.Exp(v))),
            _ => ((Func<Tensor, Tensor>)(t => t.Gelu()), (Func<double, double>)(v => v * NormalCdf(v))),
        };

        var y = op(x).ToArray();

        for (int i = 0; i < values.Length; i++)
        {
            double expected = reference(values[i]);
            Assert.True(Math.Abs(y[i] - expected) <= 1e-6 * Math.Abs(expected), $"{function}({values[i]}) = {y[i]:G9}, expected {expected:G9}");
        }
    }

    /// <summary>
    /// The vector exp (our own, not the runtime's) over the whole float range: full relative precision where the result
    /// is a normal float, the same subnormals as the correctly rounded value within 1 unit, ∞ above ln(float.MaxValue),
    /// 0 below the smallest subnormal, and NaN, ±∞ passed through as exp defines them.
    /// </summary>
    [Fact]
    public void Exp_is_accurate_over_the_whole_float_range()
    {
        var values = Enumerable.Range(0, 4000).Select(i => -104.5f + i * (193.5f / 4000)).Concat([88.72f, 88.7228f, 88.73f, 89f, -87.33f, -103.28f, -103.98f, -105f, 0f, -0f, 1e-30f,
            float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, float.MinValue]).ToArray();
        values = [.. values, .. new float[16 - values.Length % 16]]; // a whole number of 512-bit vectors: no scalar tail
        using var x = Tensor.FromArray(values);

        var y = x.Exp().ToArray();

        for (int i = 0; i < values.Length; i++)
        {
            double expected = Math.Exp(values[i]);
            float rounded = (float)expected;
            string what = $"exp({values[i]:R}) = {y[i]:R}, expected {rounded:R}";
            // below 2⁻¹²⁶ (float's smallest normal) results are subnormal
            if (double.IsNaN(expected)) Assert.True(float.IsNaN(y[i]), what);
            else if (rounded >= 1.17549435e-38f || float.IsInfinity(rounded)) Assert.True(Math.Abs(y[i] - expected) <= 2.5e-7 * expected || y[i] == rounded, what);
            else Assert.True(Math.Abs(y[i] - rounded) <= float.Epsilon, what);
        }
    }

    /// <summary>
    /// GELU′ = Φ(x) + x·φ(x), which the backward takes from the forward output (Φ = y/x), against a double reference:
    /// from 10⁻³⁸ (where y/x would have lost digits) and 0 to the tails at ±12, on the SIMD path and the scalar tail.
    /// </summary>
    [Fact]
    public void Gelu_gradient_is_accurate_from_zero_to_the_tails()
    {
        var magnitudes = new[] { 0f, 1e-38f, 1e-31f, 1e-29f, 1e-6f, 0.01f, 0.3f, 0.7f, 1f, 1.7f, 2.5f, 3.3f, 4.5f, 6f, 9f, 12f };
        var values = Enumerable.Range(0, 40).Select(i => magnitudes[i % 16] * (i / 16 % 2 == 0 ? 1 : -1)).ToArray(); // 40: two vectors and a tail
        using var x = Tensor.FromArray(values);
        x.RequiresGrad = true;

        x.Gelu().Sum().Backward();

        var gradient = x.Grad!.ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            double v = values[i], expected = NormalCdf(v) + v * Math.Exp(-v * v / 2) / Math.Sqrt(2 * Math.PI);
            Assert.True(Math.Abs(gradient[i] - expected) <= 2e-6 * Math.Abs(expected) + 1e-37, $"GELU′({v:R}) = {gradient[i]:G9}, expected {expected:G9}");
        }
    }

    /// <summary>Φ(x) in double: ½·erfc(−x/√2) from the series of erf for |x| ≤ 3 and the continued fraction of erfc beyond.</summary>
    private static double NormalCdf(double x)
    {
        double z = Math.Abs(x) / Math.Sqrt(2);
        double erfc;
        if (z <= 3)
        {
            double sum = 0, term = z;
            for (int n = 0; Math.Abs(term) > 1e-18; n++)
            {
                sum += term / (2 * n + 1);
                term *= -z * z / (n + 1);
            }
            erfc = 1 - 2 / Math.Sqrt(Math.PI) * sum;
        }
        else
        {
            double fraction = 0;
            for (int k = 60; k >= 1; k--) fraction = k / 2.0 / (z + fraction);
            erfc = Math.Exp(-z * z) / Math.Sqrt(Math.PI) / (z + fraction);
        }
        return x >= 0 ? 1 - erfc / 2 : erfc / 2;
    }

    [Fact]
    public void Gradients_at_the_kinks_follow_PyTorch()
    {
        // relu′ = [0, 0, 1] (0 at 0), |x|′ = [0, −1, 1] (0 at 0), clamp′ = [1, 1, 1] (passes at the bounds themselves).
        using var x = Tensor.FromArray([0f, -1f, 1f], 3);
        x.RequiresGrad = true;

        x.Relu().Add(x.Abs()).Add(x.Clamp(-1f, 1f)).Sum().Backward();

        Assert.Equal(new[] { 1f, 0f, 3f }, x.Grad!.ToArray());
    }
}
