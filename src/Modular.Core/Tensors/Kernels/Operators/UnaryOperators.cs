using System.Runtime.Intrinsics;
using static Modular.Tensors.Kernels.Operators.VectorMath;

namespace Modular.Tensors.Kernels.Operators;

#pragma warning disable CA1815 // operator structs are never compared

internal readonly struct NegOperator : IUnaryOperator
{
    public float Invoke(float x) => -x;
    public Vector256<float> Invoke(Vector256<float> x) => -x;
    public Vector512<float> Invoke(Vector512<float> x) => -x;
}

internal readonly struct ExpOperator : IUnaryOperator
{
    public float Invoke(float x) => MathF.Exp(x);
    public Vector256<float> Invoke(Vector256<float> x) => Exp(x);
    public Vector512<float> Invoke(Vector512<float> x) => Exp(x);
}

internal readonly struct LogOperator : IUnaryOperator
{
    public float Invoke(float x) => MathF.Log(x);
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Log(x);
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Log(x);
}

internal readonly struct SqrtOperator : IUnaryOperator
{
    public float Invoke(float x) => MathF.Sqrt(x);
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Sqrt(x);
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Sqrt(x);
}

internal readonly struct AbsOperator : IUnaryOperator
{
    public float Invoke(float x) => MathF.Abs(x);
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Abs(x);
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Abs(x);
}

internal readonly struct ReluOperator : IUnaryOperator
{
    public float Invoke(float x) => x > 0f ? x : 0f;
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Max(x, Vector256<float>.Zero);
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Max(x, Vector512<float>.Zero);
}

/// <summary>GELU with the exact normal CDF, as PyTorch's default: x·Φ(x).</summary>
internal readonly struct GeluOperator : IUnaryOperator
{
    public float Invoke(float x) => x * NormalCdf(x);
    public Vector256<float> Invoke(Vector256<float> x) => x * NormalCdf(x);
    public Vector512<float> Invoke(Vector512<float> x) => x * NormalCdf(x);
}

internal readonly struct TanhOperator : IUnaryOperator
{
    public float Invoke(float x) => Tanh(x);
    public Vector256<float> Invoke(Vector256<float> x) => Tanh(x);
    public Vector512<float> Invoke(Vector512<float> x) => Tanh(x);
}

internal readonly struct SigmoidOperator : IUnaryOperator
{
    public float Invoke(float x) => Sigmoid(x);
    public Vector256<float> Invoke(Vector256<float> x) => Sigmoid(x);
    public Vector512<float> Invoke(Vector512<float> x) => Sigmoid(x);
}

internal readonly struct SoftplusOperator : IUnaryOperator
{
    public float Invoke(float x) => Softplus(x);
    public Vector256<float> Invoke(Vector256<float> x) => Softplus(x);
    public Vector512<float> Invoke(Vector512<float> x) => Softplus(x);
}

/// <summary>y = scale·x + shift (scalar multiply, scalar add, and both).</summary>
internal readonly struct AffineOperator(float scale, float shift) : IUnaryOperator
{
    public float Invoke(float x) => MathF.FusedMultiplyAdd(x, scale, shift);
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.FusedMultiplyAdd(x, Vector256.Create(scale), Vector256.Create(shift));
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.FusedMultiplyAdd(x, Vector512.Create(scale), Vector512.Create(shift));
}

internal readonly struct ClampOperator(float min, float max) : IUnaryOperator
{
    public float Invoke(float x) => x < min ? min : x > max ? max : x;
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Min(Vector256.Max(x, Vector256.Create(min)), Vector256.Create(max));
    public Vector512<float> Invoke(Vector512<float> x) => Vector512.Min(Vector512.Max(x, Vector512.Create(min)), Vector512.Create(max));
}

/// <summary>
/// y = x^p. Integer exponents keep the sign of negative bases (odd p) as MathF.Pow does; a negative base with a
/// fractional exponent gives NaN, as in PyTorch.
/// </summary>
internal readonly struct PowOperator(float exponent) : IUnaryOperator
{
    private readonly bool isInteger = MathF.Round(exponent) == exponent;
    private readonly bool isOdd = MathF.Round(exponent) == exponent && MathF.Abs(exponent % 2f) == 1f;

    public float Invoke(float x) => exponent == 2f ? x * x : MathF.Pow(x, exponent);

    public Vector256<float> Invoke(Vector256<float> x)
    {
        if (exponent == 2f) return x * x;
        if (exponent == 1f) return x;
        var magnitude = Exp(Vector256.Log(Vector256.Abs(x)) * exponent);
        var zero = Vector256.Equals(x, Vector256<float>.Zero);
        magnitude = Vector256.ConditionalSelect(zero, Vector256.Create(exponent > 0 ? 0f : exponent == 0 ? 1f : float.PositiveInfinity), magnitude);
        var negative = Vector256.LessThan(x, Vector256<float>.Zero);
        var whenNegative = isInteger ? (isOdd ? -magnitude : magnitude) : Vector256.Create(float.NaN);
        return Vector256.ConditionalSelect(negative, whenNegative, magnitude);
    }

    public Vector512<float> Invoke(Vector512<float> x)
    {
        if (exponent == 2f) return x * x;
        if (exponent == 1f) return x;
        var magnitude = Exp(Vector512.Log(Vector512.Abs(x)) * exponent);
        var zero = Vector512.Equals(x, Vector512<float>.Zero);
        magnitude = Vector512.ConditionalSelect(zero, Vector512.Create(exponent > 0 ? 0f : exponent == 0 ? 1f : float.PositiveInfinity), magnitude);
        var negative = Vector512.LessThan(x, Vector512<float>.Zero);
        var whenNegative = isInteger ? (isOdd ? -magnitude : magnitude) : Vector512.Create(float.NaN);
        return Vector512.ConditionalSelect(negative, whenNegative, magnitude);
    }
}
