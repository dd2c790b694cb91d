using Modular.Tensors.Kernels;
using static Modular.Tensors.Autograd.Autograd;

namespace Modular.Tensors;

// Element-wise arithmetic and activations. Binary operations broadcast as NumPy and PyTorch do.
public partial class Tensor
{
    /// <summary>a + b (broadcasting).</summary>
    public Tensor Add(Tensor other) => Binary(this, other, BinaryKind.Add, "Add");

    /// <summary>a − b (broadcasting).</summary>
    public Tensor Sub(Tensor other) => Binary(this, other, BinaryKind.Sub, "Sub");

    /// <summary>a · b element-wise (broadcasting).</summary>
    public Tensor Mul(Tensor other) => Binary(this, other, BinaryKind.Mul, "Mul");

    /// <summary>a / b element-wise (broadcasting).</summary>
    public Tensor Div(Tensor other) => Binary(this, other, BinaryKind.Div, "Div");

    /// <summary>Element-wise maximum (broadcasting); the gradient goes to the larger input (split evenly on ties, as in PyTorch).</summary>
    public Tensor Maximum(Tensor other) => Binary(this, other, BinaryKind.Max, "Maximum");

    /// <summary>Element-wise minimum (broadcasting); the gradient goes to the smaller input (split evenly on ties, as in PyTorch).</summary>
    public Tensor Minimum(Tensor other) => Binary(this, other, BinaryKind.Min, "Minimum");

    /// <summary>x + c.</summary>
    public Tensor Add(float c) => Unary(UnaryKind.Affine, "AddScalar", 1f, c);

    /// <summary>x · c.</summary>
    public Tensor Mul(float c) => Unary(UnaryKind.Affine, "MulScalar", c, 0f);

    /// <summary>−x.</summary>
    public Tensor Neg() => Unary(UnaryKind.Neg, "Neg");

    /// <summary>eˣ.</summary>
    public Tensor Exp() => Unary(UnaryKind.Exp, "Exp");

    /// <summary>Natural logarithm.</summary>
    public Tensor Log() => Unary(UnaryKind.Log, "Log");

    /// <summary>Square root.</summary>
    public Tensor Sqrt() => Unary(UnaryKind.Sqrt, "Sqrt");

    /// <summary>xᵖ for a scalar exponent.</summary>
    public Tensor Pow(float exponent) => Unary(UnaryKind.Pow, "Pow", exponent);

    /// <summary>x².</summary>
    public Tensor Square() => Unary(UnaryKind.Pow, "Square", 2f);

    /// <summary>|x|.</summary>
    public Tensor Abs() => Unary(UnaryKind.Abs, "Abs");

    /// <summary>Limits values to [min, max]; the gradient passes where min ≤ x ≤ max.</summary>
    public Tensor Clamp(float min, float max)
    {
        if (min > max) throw new ConfigurationException($"Clamp: min {min} is greater than max {max}.");
        return Unary(UnaryKind.Clamp, "Clamp", min, max);
    }

    /// <summary>max(x, 0).</summary>
    public Tensor Relu() => Unary(UnaryKind.Relu, "Relu");

    /// <summary>GELU with the exact normal CDF (PyTorch's default): x·Φ(x).</summary>
    public Tensor Gelu() => Unary(UnaryKind.Gelu, "Gelu");

    /// <summary>Hyperbolic tangent.</summary>
    public Tensor Tanh() => Unary(UnaryKind.Tanh, "Tanh");

    /// <summary>Logistic sigmoid 1/(1 + e⁻ˣ).</summary>
    public Tensor Sigmoid() => Unary(UnaryKind.Sigmoid, "Sigmoid");

    /// <summary>log(1 + eˣ), computed stably.</summary>
    public Tensor Softplus() => Unary(UnaryKind.Softplus, "Softplus");

    /// <summary>a + b.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Checked(a).Add(b);

    /// <summary>a − b.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Checked(a).Sub(b);

    /// <summary>a · b element-wise.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Checked(a).Mul(b);

    /// <summary>a / b element-wise.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Checked(a).Div(b);

    /// <summary>−a.</summary>
    public static Tensor operator -(Tensor a) => Checked(a).Neg();

    /// <summary>a + c.</summary>
    public static Tensor operator +(Tensor a, float c) => Checked(a).Add(c);

    /// <summary>c + a.</summary>
    public static Tensor operator +(float c, Tensor a) => Checked(a).Add(c);

    /// <summary>a − c.</summary>
    public static Tensor operator -(Tensor a, float c) => Checked(a).Add(-c);

    /// <summary>c − a.</summary>
    public static Tensor operator -(float c, Tensor a) => Checked(a).Unary(UnaryKind.Affine, "RSubScalar", -1f, c);

    /// <summary>a · c.</summary>
    public static Tensor operator *(Tensor a, float c) => Checked(a).Mul(c);

    /// <summary>c · a.</summary>
    public static Tensor operator *(float c, Tensor a) => Checked(a).Mul(c);

    /// <summary>a / c.</summary>
    public static Tensor operator /(Tensor a, float c) => Checked(a).Mul(1f / c);

    private static Tensor Checked(Tensor t)
    {
        ArgumentNullException.ThrowIfNull(t);
        return t;
    }

    // ------------------------------------------------------------------ machinery

    /// <summary>The backward of each unary kind: which binary kernel maps (saved value, gradient) to the input gradient, and whether the saved value is the output.</summary>
    private static (BinaryKind Kind, bool FromOutput)? UnaryBackward(UnaryKind kind) => kind switch
    {
        UnaryKind.Exp => (BinaryKind.Mul, true),
        UnaryKind.Log => (BinaryKind.Div, false), // g / x, arguments swapped below
        UnaryKind.Sqrt => (BinaryKind.SqrtBackward, true),
        UnaryKind.Abs => (BinaryKind.AbsBackward, false),
        UnaryKind.Relu => (BinaryKind.ReluBackward, false),
        UnaryKind.Tanh => (BinaryKind.TanhBackward, true),
        UnaryKind.Sigmoid => (BinaryKind.SigmoidBackward, true),
        UnaryKind.Softplus => (BinaryKind.SoftplusBackward, false),
        UnaryKind.Clamp => (BinaryKind.ClampBackward, false),
        UnaryKind.Pow => (BinaryKind.PowBackward, false),
        _ => null, // Neg and Affine are linear, GELU reads both x and y: handled directly
    };

    private Tensor Unary(UnaryKind kind, string name, float p0 = 0f, float p1 = 0f)
    {
        CheckNotDisposed(this, name);
        var backend = Backend;
        var y = Empty(shape, backend);
        backend.Unary(kind, this, y, p0, p1);
        if (!NeedsGrad(this)) return y;
        var x = this;
        Record(y, name, g =>
        {
            var dx = Empty(x.shape, backend);
            switch (kind)
            {
                case UnaryKind.Neg: backend.Unary(UnaryKind.Neg, g, dx); break;
                case UnaryKind.Affine: backend.Unary(UnaryKind.Affine, g, dx, p0, 0f); break;
                case UnaryKind.Log: backend.Binary(BinaryKind.Div, g, x, dx); break;
                case UnaryKind.Gelu: backend.GeluBackward(x, y, g, dx); break;
                default:
                    var (backward, fromOutput) = UnaryBackward(kind)!.Value;
                    backend.Binary(backward, fromOutput ? y : x, g, dx, p0, p1);
                    break;
            }
            Accumulate(x, dx);
        }, x);
        return y;
    }

    private static Tensor Binary(Tensor a, Tensor b, BinaryKind kind, string name)
    {
        ArgumentNullException.ThrowIfNull(b);
        CheckNotDisposed(a, name);
        CheckNotDisposed(b, name);
        var backend = SameDevice(name, a, b);
        var y = Empty(BroadcastShape(a.shape, b.shape, name, a, b), backend);
        backend.Binary(kind, a, b, y);
        if (!NeedsGrad(a, b)) return y;
        Record(y, name, g =>
        {
            if (a.RequiresGrad) Accumulate(a, SumToShape(BinaryGrad(kind, a, b, y, g, first: true), a.shape));
            if (b.RequiresGrad) Accumulate(b, SumToShape(BinaryGrad(kind, a, b, y, g, first: false), b.shape));
        }, a, b);
        return y;
    }

    /// <summary>Gradient of y = a ∘ b with respect to a (<paramref name="first"/>) or b, at the broadcast shape of y.</summary>
    private static Tensor BinaryGrad(BinaryKind kind, Tensor a, Tensor b, Tensor y, Tensor g, bool first)
    {
        if (kind == BinaryKind.Add || (kind == BinaryKind.Sub && first)) return g;
        var backend = y.Backend;
        var d = Empty(y.shape, backend);
        switch (kind)
        {
            case BinaryKind.Sub:
                backend.Unary(UnaryKind.Neg, g, d);
                return d;
            case BinaryKind.Mul:
                backend.Binary(BinaryKind.Mul, g, first ? b : a, d);
                return d;
            case BinaryKind.Div:
                if (first)
                {
                    backend.Binary(BinaryKind.Div, g, b, d); // g / b
                    return d;
                }
                backend.Binary(BinaryKind.Div, y, b, d); // −g · a / b² = −g · y / b
                backend.Binary(BinaryKind.Mul, d, g, d);
                backend.Unary(UnaryKind.Neg, d, d);
                return d;
            case BinaryKind.Max or BinaryKind.Min:
            {
                // As PyTorch: the gradient goes to the input equal to the result, halved on ties: g·([x = y] − ½[a = b]).
                using var halfTie = Empty(y.shape, backend);
                backend.Binary(BinaryKind.Equal, a, b, halfTie);
                backend.Unary(UnaryKind.Affine, halfTie, halfTie, -0.5f, 0f);
                backend.Binary(BinaryKind.Equal, first ? a : b, y, d);
                backend.Binary(BinaryKind.Add, d, halfTie, d);
                backend.Binary(BinaryKind.Mul, d, g, d);
                return d;
            }
            default: throw new InvalidOperationException($"{kind} has no gradient rule.");
        }
    }

    /// <summary>The broadcast of two shapes (NumPy rules), or a clear error naming the operation.</summary>
    internal static int[] BroadcastShape(int[] a, int[] b, string op, Tensor? left = null, Tensor? right = null)
    {
        int rank = Math.Max(a.Length, b.Length);
        var dims = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            int db = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new ShapeMismatchException($"{op}: shapes {TensorShape.Format(a)}{Named(left)} and {TensorShape.Format(b)}{Named(right)} do not broadcast (dimension {i}: {da} vs {db}). Sizes must match or be 1.");
            dims[i] = da == 1 ? db : da;
        }
        return dims;
    }

    private static string Named(Tensor? t) => t?.Name is { } n ? $" ('{n}')" : "";
}
