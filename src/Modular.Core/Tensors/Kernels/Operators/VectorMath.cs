using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Modular.Tensors.Kernels.Operators;

/// <summary>
/// The transcendental functions the operators need, in scalar, 256-bit and 512-bit forms that agree to
/// float precision. Scalar exp/log and vector log come from the runtime; vector exp is our own (below), and the
/// rest are built on them.
/// </summary>
internal static class VectorMath
{
    // exp(x) = 2ⁿ·eʳ with n = round(x·log₂e) and r = x − n·ln 2, the product n·ln 2 taken in two parts (Cody–Waite) so
    // that r is exact to float precision; eʳ on |r| ≤ ½ln 2 is a degree-7 polynomial (Cephes' expf coefficients,
    // relative error < 1.2·10⁻⁷). 2ⁿ is built in the exponent bits as 2^⌊n/2⌋·2^⌈n/2⌉, so that n from −151 to 128
    // (x clamped to [−104.5, 88.73]) rounds once into subnormals, ∞ or 0 exactly as the true value would; NaN passes
    // through Min and Max. Why our own: the runtime's Vector512.Exp and TensorPrimitives.Exp for float take
    // 2.4–3.8 ns per element on this machine, this takes 0.15–0.25 ns, which made GELU and softmax a tenth of a
    // forward pass.
    private const float ExpLow = -104.5f, ExpHigh = 88.73f, Log2E = 1.44269504088896341f, Ln2High = 0.693359375f, Ln2Low = -2.12194440e-4f;
    private const float E2 = 5.0000001201E-1f, E3 = 1.6666665459E-1f, E4 = 4.1665795894E-2f, E5 = 8.3334519073E-3f, E6 = 1.3981999507E-3f, E7 = 1.9875691500E-4f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        var clamped = Vector512.Min(Vector512.Max(x, Vector512.Create(ExpLow)), Vector512.Create(ExpHigh));
        var n = Vector512.Round(clamped * Log2E);
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2High), clamped);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Low), r);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(E7), r, Vector512.Create(E6));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E5));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E2));
        p = Vector512.FusedMultiplyAdd(p, r * r, r + Vector512<float>.One);
        var k = Vector512.ConvertToInt32(n);
        var half = Vector512.ShiftRightArithmetic(k, 1);
        var bias = Vector512.Create(127);
        return p * Vector512.ShiftLeft(half + bias, 23).AsSingle() * Vector512.ShiftLeft(k - half + bias, 23).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var clamped = Vector256.Min(Vector256.Max(x, Vector256.Create(ExpLow)), Vector256.Create(ExpHigh));
        var n = Vector256.Round(clamped * Log2E);
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2High), clamped);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Low), r);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(E7), r, Vector256.Create(E6));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(E5));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(E4));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(E3));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(E2));
        p = Vector256.FusedMultiplyAdd(p, r * r, r + Vector256<float>.One);
        var k = Vector256.ConvertToInt32(n);
        var half = Vector256.ShiftRightArithmetic(k, 1);
        var bias = Vector256.Create(127);
        return p * Vector256.ShiftLeft(half + bias, 23).AsSingle() * Vector256.ShiftLeft(k - half + bias, 23).AsSingle();
    }

    // Normal CDF through erfc (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7 everywhere, so the
    // tails that GELU's gradient reads stay accurate too): Φ(x) = 1 − ½·r for x ≥ 0 and ½·r for x < 0,
    // r = erfc(|x|/√2) = t·exp(−z² + P(t)), t = 1/(1 + z/2), z = |x|/√2.
    private const float InvSqrt2 = 0.70710678118654752f;
    private const float InvSqrt2Pi = 0.39894228040143268f;
    private const float C0 = -1.26551223f, C1 = 1.00002368f, C2 = 0.37409196f, C3 = 0.09678418f, C4 = -0.18628806f,
        C5 = 0.27886807f, C6 = -1.13520398f, C7 = 1.48851587f, C8 = -0.82215223f, C9 = 0.17087277f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float NormalCdf(float x)
    {
        float z = MathF.Abs(x) * InvSqrt2;
        float t = 1f / (1f + 0.5f * z);
        float p = C0 + t * (C1 + t * (C2 + t * (C3 + t * (C4 + t * (C5 + t * (C6 + t * (C7 + t * (C8 + t * C9))))))));
        float r = t * MathF.Exp(-z * z + p);
        return x >= 0 ? 1f - 0.5f * r : 0.5f * r;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> NormalCdf(Vector512<float> x)
    {
        var z = Vector512.Abs(x) * InvSqrt2;
        var t = Vector512<float>.One / (Vector512<float>.One + z * 0.5f);
        var p = Horner(t);
        var r = t * Exp(p - z * z);
        var half = r * 0.5f;
        return Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x, Vector512<float>.Zero), Vector512<float>.One - half, half);

        static Vector512<float> Horner(Vector512<float> t)
        {
            var p = Vector512.Create(C9);
            p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C8));
            p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C7));
            p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C6));
            p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C5));
            p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C4));
            p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C3));
            p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C2));
            p = Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C1));
            return Vector512.FusedMultiplyAdd(p, t, Vector512.Create(C0));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> NormalCdf(Vector256<float> x)
    {
        var z = Vector256.Abs(x) * InvSqrt2;
        var t = Vector256<float>.One / (Vector256<float>.One + z * 0.5f);
        var p = Vector256.Create(C9);
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C8));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C7));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C6));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C5));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C4));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C3));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C2));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C1));
        p = Vector256.FusedMultiplyAdd(p, t, Vector256.Create(C0));
        var r = t * Exp(p - z * z);
        var half = r * 0.5f;
        return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<float>.Zero), Vector256<float>.One - half, half);
    }

    /// <summary>Standard normal density φ(x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float NormalPdf(float x) => InvSqrt2Pi * MathF.Exp(-0.5f * x * x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> NormalPdf(Vector512<float> x) => Exp(x * x * -0.5f) * InvSqrt2Pi;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> NormalPdf(Vector256<float> x) => Exp(x * x * -0.5f) * InvSqrt2Pi;

    // tanh(x) = sign(x)·(1 − e)/(1 + e), e = exp(−2|x|), never overflows. Below |x| = 1/4 the difference 1 − e cancels
    // (relative error ≈ ε/2|x|: 5% at 10⁻⁶), so there the odd Taylor polynomial to x⁹ is used instead; its
    // truncation, ≈ 0.009·x¹⁰ relative, stays below 10⁻⁸.
    private const float TanhSeriesLimit = 0.25f;
    private const float T3 = -1f / 3, T5 = 2f / 15, T7 = -17f / 315, T9 = 62f / 2835;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Tanh(float x) => MathF.Tanh(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        var abs = Vector512.Abs(x);
        var e = Exp(abs * -2f);
        var r = Vector512.CopySign((Vector512<float>.One - e) / (Vector512<float>.One + e), x);
        var x2 = x * x;
        var q = Vector512.FusedMultiplyAdd(x2, Vector512.Create(T9), Vector512.Create(T7));
        q = Vector512.FusedMultiplyAdd(x2, q, Vector512.Create(T5));
        q = Vector512.FusedMultiplyAdd(x2, q, Vector512.Create(T3));
        var series = Vector512.FusedMultiplyAdd(x * x2, q, x);
        return Vector512.ConditionalSelect(Vector512.LessThan(abs, Vector512.Create(TanhSeriesLimit)), series, r);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        var abs = Vector256.Abs(x);
        var e = Exp(abs * -2f);
        var r = Vector256.CopySign((Vector256<float>.One - e) / (Vector256<float>.One + e), x);
        var x2 = x * x;
        var q = Vector256.FusedMultiplyAdd(x2, Vector256.Create(T9), Vector256.Create(T7));
        q = Vector256.FusedMultiplyAdd(x2, q, Vector256.Create(T5));
        q = Vector256.FusedMultiplyAdd(x2, q, Vector256.Create(T3));
        var series = Vector256.FusedMultiplyAdd(x * x2, q, x);
        return Vector256.ConditionalSelect(Vector256.LessThan(abs, Vector256.Create(TanhSeriesLimit)), series, r);
    }

    // σ(x) = 1/(1 + exp(−x)); exp saturates to +∞ for very negative x, giving exactly 0.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sigmoid(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + Exp(-x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sigmoid(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + Exp(-x));

    // softplus(x) = max(x, 0) + log1p(exp(−|x|)); log1p(u) = log(w)·u/(w − 1) with w = 1 + u keeps full precision for tiny u.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Softplus(float x) => MathF.Max(x, 0f) + Log1p(MathF.Exp(-MathF.Abs(x)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Log1p(float u)
    {
        float w = 1f + u;
        return w == 1f ? u : MathF.Log(w) * (u / (w - 1f));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Softplus(Vector512<float> x)
    {
        var u = Exp(-Vector512.Abs(x));
        var w = Vector512<float>.One + u;
        var log1p = Vector512.ConditionalSelect(Vector512.Equals(w, Vector512<float>.One), u, Vector512.Log(w) * (u / (w - Vector512<float>.One)));
        return Vector512.Max(x, Vector512<float>.Zero) + log1p;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Softplus(Vector256<float> x)
    {
        var u = Exp(-Vector256.Abs(x));
        var w = Vector256<float>.One + u;
        var log1p = Vector256.ConditionalSelect(Vector256.Equals(w, Vector256<float>.One), u, Vector256.Log(w) * (u / (w - Vector256<float>.One)));
        return Vector256.Max(x, Vector256<float>.Zero) + log1p;
    }
}
