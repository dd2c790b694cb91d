using System.Runtime.Intrinsics;
using static Modular.Tensors.Kernels.Operators.VectorMath;

namespace Modular.Tensors.Kernels.Operators;

#pragma warning disable CA1815 // operator structs are never compared

internal readonly struct AddOperator : IBinaryOperator
{
    public float Invoke(float a, float b) => a + b;
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a + b;
    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => a + b;
}

internal readonly struct SubOperator : IBinaryOperator
{
    public float Invoke(float a, float b) => a - b;
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a - b;
    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => a - b;
}

internal readonly struct MulOperator : IBinaryOperator
{
    public float Invoke(float a, float b) => a * b;
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a * b;
    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => a * b;
}

internal readonly struct DivOperator : IBinaryOperator
{
    public float Invoke(float a, float b) => a / b;
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a / b;
    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => a / b;
}

internal readonly struct MaxOperator : IBinaryOperator
{
    public float Invoke(float a, float b) => MathF.Max(a, b);
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);
    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
}

internal readonly struct MinOperator : IBinaryOperator
{
    public float Invoke(float a, float b) => MathF.Min(a, b);
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.Min(a, b);
    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => Vector512.Min(a, b);
}

internal readonly struct EqualOperator : IBinaryOperator
{
    public float Invoke(float a, float b) => a == b ? 1f : 0f;
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => Vector256.ConditionalSelect(Vector256.Equals(a, b), Vector256<float>.One, Vector256<float>.Zero);
    public Vector512<float> Invoke(Vector512<float> a, Vector512<float> b) => Vector512.ConditionalSelect(Vector512.Equals(a, b), Vector512<float>.One, Vector512<float>.Zero);
}

// ---- backward operators: (a, b) = (forward input or output, incoming gradient) -> input gradient

/// <summary>ReLU′: the gradient passes where x &gt; 0.</summary>
internal readonly struct ReluBackwardOperator : IBinaryOperator
{
    public float Invoke(float x, float g) => x > 0f ? g : 0f;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> g) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), g, Vector256<float>.Zero);
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> g) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), g, Vector512<float>.Zero);
}

/// <summary>
/// GELU′(x) = Φ(x) + x·φ(x), with Φ(x) recovered from the forward output y = x·Φ(x) as y/x (within 2 ulps): one exp
/// instead of the normal CDF's division, polynomial and exp plus the density's exp. Below |x| = 10⁻³⁰, where y may
/// have lost digits to underflow, Φ(0) = ½ is exact to float precision.
/// </summary>
internal readonly struct GeluDerivativeOperator : IBinaryOperator
{
    private const float Tiny = 1e-30f;

    public float Invoke(float x, float y) => MathF.FusedMultiplyAdd(x, NormalPdf(x), MathF.Abs(x) >= Tiny ? y / x : 0.5f);

    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> y) =>
        Vector256.FusedMultiplyAdd(x, NormalPdf(x), Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(Vector256.Abs(x), Vector256.Create(Tiny)), y / x, Vector256.Create(0.5f)));

    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> y) =>
        Vector512.FusedMultiplyAdd(x, NormalPdf(x), Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(Vector512.Abs(x), Vector512.Create(Tiny)), y / x, Vector512.Create(0.5f)));
}

/// <summary>tanh′ from the output y: 1 − y².</summary>
internal readonly struct TanhBackwardOperator : IBinaryOperator
{
    public float Invoke(float y, float g) => g * (1f - y * y);
    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> g) => g * (Vector256<float>.One - y * y);
    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> g) => g * (Vector512<float>.One - y * y);
}

/// <summary>σ′ from the output y: y·(1 − y).</summary>
internal readonly struct SigmoidBackwardOperator : IBinaryOperator
{
    public float Invoke(float y, float g) => g * y * (1f - y);
    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> g) => g * y * (Vector256<float>.One - y);
    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> g) => g * y * (Vector512<float>.One - y);
}

/// <summary>softplus′(x) = σ(x).</summary>
internal readonly struct SoftplusBackwardOperator : IBinaryOperator
{
    public float Invoke(float x, float g) => g * Sigmoid(x);
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> g) => g * Sigmoid(x);
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> g) => g * Sigmoid(x);
}

/// <summary>|x|′ = sign(x), with sign(0) = 0 as in PyTorch.</summary>
internal readonly struct AbsBackwardOperator : IBinaryOperator
{
    public float Invoke(float x, float g) => x > 0f ? g : x < 0f ? -g : 0f;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> g) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), g, Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<float>.Zero), -g, Vector256<float>.Zero));
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> g) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<float>.Zero), g, Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512<float>.Zero), -g, Vector512<float>.Zero));
}

/// <summary>clamp′: the gradient passes where min ≤ x ≤ max, as in PyTorch.</summary>
internal readonly struct ClampBackwardOperator(float min, float max) : IBinaryOperator
{
    public float Invoke(float x, float g) => x >= min && x <= max ? g : 0f;
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> g) =>
        Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256.Create(min)) & Vector256.LessThanOrEqual(x, Vector256.Create(max)), g, Vector256<float>.Zero);
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> g) =>
        Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x, Vector512.Create(min)) & Vector512.LessThanOrEqual(x, Vector512.Create(max)), g, Vector512<float>.Zero);
}

/// <summary>(x^p)′ = p·x^(p−1); exactly 0 for p = 0, also at x = 0 where x^(−1) is infinite (as PyTorch).</summary>
internal readonly struct PowBackwardOperator(float exponent) : IBinaryOperator
{
    private readonly PowOperator lower = new(exponent - 1f);
    public float Invoke(float x, float g) => exponent == 0f ? 0f : g * exponent * lower.Invoke(x);
    public Vector256<float> Invoke(Vector256<float> x, Vector256<float> g) => exponent == 0f ? Vector256<float>.Zero : g * exponent * lower.Invoke(x);
    public Vector512<float> Invoke(Vector512<float> x, Vector512<float> g) => exponent == 0f ? Vector512<float>.Zero : g * exponent * lower.Invoke(x);
}

/// <summary>√x′ from the output y: 1/(2y).</summary>
internal readonly struct SqrtBackwardOperator : IBinaryOperator
{
    public float Invoke(float y, float g) => g * 0.5f / y;
    public Vector256<float> Invoke(Vector256<float> y, Vector256<float> g) => g * 0.5f / y;
    public Vector512<float> Invoke(Vector512<float> y, Vector512<float> g) => g * 0.5f / y;
}
