namespace Modular.Tensors.Kernels;

/// <summary>Element-wise functions of one tensor.</summary>
internal enum UnaryKind
{
    Neg, Exp, Log, Sqrt, Abs, Relu, Gelu, Tanh, Sigmoid, Softplus,
    /// <summary>p0·x + p1.</summary>
    Affine,
    /// <summary>clamp(x, p0, p1).</summary>
    Clamp,
    /// <summary>x^p0.</summary>
    Pow,
}

/// <summary>Element-wise functions of two broadcast tensors; the *Backward kinds take (forward value, gradient).</summary>
internal enum BinaryKind
{
    Add, Sub, Mul, Div, Max, Min,
    /// <summary>1 where a = b, else 0.</summary>
    Equal,
    ReluBackward, TanhBackward, SigmoidBackward, SoftplusBackward, AbsBackward,
    /// <summary>GELU′(x) from the input a = x and the output b = GELU(x) (no gradient factor).</summary>
    GeluDerivative,
    /// <summary>gradient where p0 ≤ x ≤ p1.</summary>
    ClampBackward,
    /// <summary>g·p0·x^(p0−1).</summary>
    PowBackward,
    SqrtBackward,
}

/// <summary>
/// The one dispatch point between operations (which allocate outputs and record gradients) and the numeric
/// kernels that fill them. Every loop over tensor data lives behind this class, so a faster or different
/// backend replaces it without touching the layers above.
/// </summary>
internal abstract class Backend
{
    /// <summary>The backend every operation uses.</summary>
    public static Backend Current { get; set; } = new CpuBackend();

    /// <summary>dst ← src, any layouts; src is broadcast to dst's shape.</summary>
    public abstract void Copy(Tensor src, Tensor dst);

    /// <summary>dst ← dst + src, same shape; dst contiguous.</summary>
    public abstract void AddInPlace(Tensor dst, Tensor src);

    /// <summary>dst ← dst + alpha·src over flat contiguous spans.</summary>
    public abstract void ScaledAddInPlace(Span<float> dst, ReadOnlySpan<float> src, float alpha);

    /// <summary>y ← f(x), same shape; y contiguous.</summary>
    public abstract void Unary(UnaryKind kind, Tensor x, Tensor y, float p0 = 0, float p1 = 0);

    /// <summary>y ← f(a, b) with a and b broadcast to y's shape; y contiguous.</summary>
    public abstract void Binary(BinaryKind kind, Tensor a, Tensor b, Tensor y, float p0 = 0, float p1 = 0);

    /// <summary>y ← condition ≠ 0 ? a : b, all broadcast to y's shape.</summary>
    public abstract void Where(Tensor condition, Tensor a, Tensor b, Tensor y);

    /// <summary>Sums a contiguous [outer, n, inner] block over n into y [outer, inner].</summary>
    public abstract void SumAxis(ReadOnlySpan<float> x, int outer, int n, int inner, Span<float> y);

    /// <summary>Max of a contiguous [outer, n, inner] block over n, with the first index of each maximum.</summary>
    public abstract void MaxAxis(ReadOnlySpan<float> x, int outer, int n, int inner, Span<float> values, Span<int> indices);

    /// <summary>Softmax (or log-softmax) of each row of a contiguous [rows, n] block.</summary>
    public abstract void Softmax(ReadOnlySpan<float> x, Span<float> y, int rows, int n, bool log);

    /// <summary>Input gradient of (log-)softmax rows from the output y and its gradient g.</summary>
    public abstract void SoftmaxBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> dx, int rows, int n, bool log);

    /// <summary>
    /// Scaled dot-product attention for every (batch item, head) of row-major q [batch, queries, width] and k, v
    /// [batch, keys, width], width = heads·(width / heads): probabilities[b, h] = softmax(scale·q_h·k_hᵀ) over the
    /// keys whose <paramref name="keyMask"/>[b, key] is 1 (all keys when the mask is empty), output's head
    /// columns = probabilities[b, h]·v_h. Probabilities [batch, heads, queries, keys] are kept for the backward.
    /// </summary>
    public abstract void Attention(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<float> keyMask,
        Span<float> probabilities, Span<float> output, AttentionShape shape);

    /// <summary>
    /// Gradients of <see cref="Attention"/> for the output gradient <paramref name="gradOutput"/> [batch, queries, width]:
    /// dq, dk, dv overwritten; <paramref name="scratch"/> (the size of the probabilities) holds the score gradients.
    /// </summary>
    public abstract void AttentionBackward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<float> probabilities,
        ReadOnlySpan<float> gradOutput, Span<float> scratch, Span<float> dq, Span<float> dk, Span<float> dv, AttentionShape shape);

    /// <summary>Normalises each row of [rows, n] to zero mean, unit variance, then applies γ, β; records mean and 1/σ per row.</summary>
    public abstract void LayerNorm(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> y, Span<float> mean, Span<float> rstd, int rows, int n, float eps);

    /// <summary>Gradients of layer norm: dx (if not empty), and dγ, dβ accumulated (if not empty).</summary>
    public abstract void LayerNormBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd, ReadOnlySpan<float> g,
        Span<float> dx, Span<float> dgamma, Span<float> dbeta, int rows, int n);

    /// <summary>
    /// C ← alpha·A·B + beta·C (+ bias[j] in every row j-th column when <paramref name="bias"/> is given, as a linear layer's)
    /// for one matrix: A is [m, k] with element (i, p) at a[i·rsA + p·csA], B is [k, n] likewise, C is [m, n] row-major
    /// with row stride ldc. Either stride of A and B may be 1 (transposed views need no copy).
    /// </summary>
    public abstract void Gemm(int m, int n, int k, float alpha, ReadOnlySpan<float> a, int rsA, int csA, ReadOnlySpan<float> b, int rsB, int csB, float beta, Span<float> c, int ldc,
        ReadOnlySpan<float> bias = default);

    /// <summary>y[i, :] ← table[index[i], :] for rows of width <paramref name="width"/>.</summary>
    public abstract void GatherRows(ReadOnlySpan<float> table, ReadOnlySpan<int> index, Span<float> y, int width);

    /// <summary>table[index[i], :] += src[i, :] for rows of width <paramref name="width"/>.</summary>
    public abstract void ScatterAddRows(Span<float> table, ReadOnlySpan<int> index, ReadOnlySpan<float> src, int width);

    /// <summary>y[o, j, i] ← x[o, index[o, j, i], i] for x [outer, n, inner], index and y [outer, m, inner].</summary>
    public abstract void GatherAxis(ReadOnlySpan<float> x, int outer, int n, int inner, ReadOnlySpan<int> index, int m, Span<float> y);

    /// <summary>y[o, index[o, j, i], i] += src[o, j, i] for y [outer, n, inner], index and src [outer, m, inner].</summary>
    public abstract void ScatterAddAxis(Span<float> y, int outer, int n, int inner, ReadOnlySpan<int> index, int m, ReadOnlySpan<float> src);

    /// <summary>The k largest (or smallest) values of each row of [rows, n], in order, with their indices.</summary>
    public abstract void TopK(ReadOnlySpan<float> x, int rows, int n, int k, bool largest, Span<float> values, Span<int> indices);

    /// <summary>
    /// Cross-entropy of each row of logits [rows, classes] against its target, with label smoothing ε:
    /// loss = −(1 − ε)·log p[target] − (ε / classes)·Σ log p. Rows whose target is <paramref name="ignoreIndex"/>
    /// contribute nothing. Writes log-probabilities and returns the summed loss and the number of counted rows.
    /// </summary>
    public abstract (double Sum, int Count) CrossEntropy(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int rows, int classes, int ignoreIndex, float smoothing, Span<float> logProbabilities);

    /// <summary>Gradient of the summed cross-entropy times <paramref name="scale"/>: scale·(softmax − q) per counted row, 0 for ignored rows.</summary>
    public abstract void CrossEntropyBackward(ReadOnlySpan<float> logProbabilities, ReadOnlySpan<int> targets, int rows, int classes, int ignoreIndex, float smoothing, float scale, Span<float> dLogits);

    /// <summary>One Adam/AdamW update of a parameter from its gradient and moment estimates (PyTorch's formulation).</summary>
    public abstract void AdamUpdate(Span<float> parameter, ReadOnlySpan<float> gradient, Span<float> firstMoment, Span<float> secondMoment, in AdamStep step);

    /// <summary>Sum of squares of a span (for gradient norms).</summary>
    public abstract double SumOfSquares(ReadOnlySpan<float> values);
}

/// <summary>
/// The scalars of one Adam step for one parameter, each computed by the optimiser in double precision (as PyTorch
/// does in Python) and rounded once: m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; p ← p·Decay − StepSize·m / (√v / √bc₂ + ε),
/// with g = gradient + L2·p.
/// </summary>
internal readonly record struct AdamStep(float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2, float Eps, float L2, float Decay, float StepSize, float SqrtBiasCorrection2);
