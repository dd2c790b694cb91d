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
/// The one dispatch point between operations (which check arguments, allocate outputs and record gradients) and the
/// numeric kernels that fill them. Every loop over tensor data lives behind this class, one instance per
/// <see cref="Modular.Tensors.Device"/>: the CPU engine is one backend, libtorch on a device (Modular.TorchSharp) another,
/// and the layers above never see which. Kernels receive tensors — storage, offset, shape, strides — on this backend's
/// device and write into outputs the operation allocated with <see cref="Allocate"/>; an output is always contiguous
/// and written whole. Index tensors may be host indices (any backend accepts them) or this backend's own.
/// </summary>
internal abstract class Backend
{
    /// <summary>The device whose memory this backend allocates and computes on.</summary>
    public abstract Device Device { get; }

    // ---------------------------------------------------------------- memory

    /// <summary>Storage for <paramref name="length"/> floats with arbitrary contents.</summary>
    public abstract TensorStorage Allocate(int length);

    /// <summary>Writes host values into the contiguous <paramref name="destination"/> (host to device).</summary>
    public abstract void Upload(ReadOnlySpan<float> source, Tensor destination);

    /// <summary>Copies <paramref name="source"/> (any layout), row-major, into host memory; the caller counts the read.</summary>
    public abstract void Download(Tensor source, Span<float> destination);

    /// <summary>Sets every element of <paramref name="destination"/> (any layout) to <paramref name="value"/>.</summary>
    public abstract void Fill(Tensor destination, float value);

    /// <summary>dst ← src, any layouts; src is broadcast to dst's shape.</summary>
    public abstract void Copy(Tensor src, Tensor dst);

    // ---------------------------------------------------------------- element-wise

    /// <summary>dst ← dst + src, same shape; dst contiguous.</summary>
    public abstract void AddInPlace(Tensor dst, Tensor src);

    /// <summary>dst ← dst + alpha·src, both contiguous and of one size.</summary>
    public abstract void ScaledAddInPlace(Tensor dst, Tensor src, float alpha);

    /// <summary>y ← f(x), same shape; y contiguous.</summary>
    public abstract void Unary(UnaryKind kind, Tensor x, Tensor y, float p0 = 0, float p1 = 0);

    /// <summary>y ← f(a, b) with a and b broadcast to y's shape; y contiguous (and may be a or b).</summary>
    public abstract void Binary(BinaryKind kind, Tensor a, Tensor b, Tensor y, float p0 = 0, float p1 = 0);

    /// <summary>
    /// dx ← g·GELU′(x), for y = GELU(x) (x, y and dx contiguous and of one shape; g any layout of that shape). By
    /// default two passes, GELU′ from x and y and then times g; a backend with a fused GELU backward uses it instead.
    /// </summary>
    public virtual void GeluBackward(Tensor x, Tensor y, Tensor g, Tensor dx)
    {
        Binary(BinaryKind.GeluDerivative, x, y, dx);
        Binary(BinaryKind.Mul, dx, g, dx);
    }

    /// <summary>y ← condition ≠ 0 ? a : b, all broadcast to y's shape.</summary>
    public abstract void Where(Tensor condition, Tensor a, Tensor b, Tensor y);

    // ---------------------------------------------------------------- rows and axes (x contiguous unless said)

    /// <summary>Sums x, seen as [outer, n, inner], over n into y [outer, inner].</summary>
    public abstract void SumAxis(Tensor x, int outer, int n, int inner, Tensor y);

    /// <summary>Max of x, seen as [outer, n, inner], over n, with the first index of each maximum (indices: <see cref="AllocateIndices"/>).</summary>
    public abstract void MaxAxis(Tensor x, int outer, int n, int inner, Tensor values, IntTensor indices);

    /// <summary>Softmax (or log-softmax) of each row of x [rows, n].</summary>
    public abstract void Softmax(Tensor x, Tensor y, int rows, int n, bool log);

    /// <summary>Input gradient of (log-)softmax rows from the output y and its gradient g (contiguous).</summary>
    public abstract void SoftmaxBackward(Tensor y, Tensor g, Tensor dx, int rows, int n, bool log);

    /// <summary>
    /// Scaled dot-product attention for every (batch item, head) of row-major q [batch, queries, width] and k, v
    /// [batch, keys, width], width = heads·(width / heads): probabilities[b, h] = softmax(scale·q_h·k_hᵀ) over the
    /// keys whose <paramref name="keyMask"/>[b, key] is 1 (all keys when it is null), output's head
    /// columns = probabilities[b, h]·v_h. Probabilities [batch, heads, queries, keys] are kept for the backward.
    /// </summary>
    public abstract void Attention(Tensor q, Tensor k, Tensor v, Tensor? keyMask, Tensor probabilities, Tensor output, AttentionShape shape);

    /// <summary>
    /// Gradients of <see cref="Attention"/> for the output gradient <paramref name="gradOutput"/> [batch, queries, width]:
    /// dq, dk, dv overwritten, each null (and not computed) where that input needs no gradient; <paramref name="scratch"/>
    /// (the size of the probabilities) holds the score gradients, and is null when neither dq nor dk is wanted.
    /// </summary>
    public abstract void AttentionBackward(Tensor q, Tensor k, Tensor v, Tensor probabilities, Tensor gradOutput, Tensor? scratch, Tensor? dq, Tensor? dk, Tensor? dv, AttentionShape shape);

    /// <summary>
    /// Normalises each row of [rows, n] to zero mean, unit variance, then applies γ, β (either may be null).
    /// <paramref name="mean"/> and <paramref name="rstd"/> [rows] are this backend's own record for its
    /// <see cref="LayerNormBackward"/> (mean and 1/σ per row on the CPU engine); no one else reads them, so a backend
    /// whose backward recomputes the statistics may leave them unwritten.
    /// </summary>
    public abstract void LayerNorm(Tensor x, Tensor? gamma, Tensor? beta, Tensor y, Tensor mean, Tensor rstd, int rows, int n, float eps);

    /// <summary>Gradients of layer norm: dx (if not null) overwritten, dγ and dβ (if not null) accumulated; mean and rstd as <see cref="LayerNorm"/> left them.</summary>
    public abstract void LayerNormBackward(Tensor x, Tensor? gamma, Tensor mean, Tensor rstd, Tensor g, Tensor? dx, Tensor? dgamma, Tensor? dbeta, int rows, int n, float eps);

    // ---------------------------------------------------------------- products

    /// <summary>
    /// y[batch] ← a[batch]·b[batch] (+ y when <paramref name="accumulate"/>) for a [.., m, k] and b [.., k, n] in any
    /// layout (transposed views need no copy) with batch dimensions broadcast to y's; y [.., m, n] contiguous.
    /// </summary>
    public abstract void MatMul(Tensor a, Tensor b, Tensor y, bool accumulate);

    /// <summary>y ← x·Wᵀ + bias for x [rows, in] contiguous, <paramref name="weight"/> [out, in] in any layout, bias [out] contiguous or null.</summary>
    public abstract void Linear(Tensor x, Tensor weight, Tensor? bias, Tensor y);

    // ---------------------------------------------------------------- indices

    /// <summary>Indices computed on this backend's device, with arbitrary contents, for <see cref="MaxAxis"/> and <see cref="TopK"/>.</summary>
    public abstract IntTensor AllocateIndices(int[] shape);

    /// <summary>y[o, j, :] ← x[o, index[j], :] for x [outer, n, inner], index [m], y [outer, m, inner].</summary>
    public abstract void GatherRows(Tensor x, int outer, int n, int inner, IntTensor index, Tensor y);

    /// <summary>dst[o, index[j], :] += src[o, j, :] for dst [outer, n, inner] (contiguous), index [m], src [outer, m, inner].</summary>
    public abstract void ScatterAddRows(Tensor dst, int outer, int n, int inner, IntTensor index, Tensor src);

    /// <summary>y[o, j, i] ← x[o, index[o, j, i], i] for x [outer, n, inner], index and y [outer, m, inner].</summary>
    public abstract void GatherAxis(Tensor x, int outer, int n, int inner, IntTensor index, int m, Tensor y);

    /// <summary>dst[o, index[o, j, i], i] += src[o, j, i] for dst [outer, n, inner] (contiguous), index and src [outer, m, inner].</summary>
    public abstract void ScatterAddAxis(Tensor dst, int outer, int n, int inner, IntTensor index, int m, Tensor src);

    /// <summary>The k largest (or smallest) values of each row of x [rows, n], in order, with their indices (first index on ties).</summary>
    public abstract void TopK(Tensor x, int rows, int n, int k, bool largest, Tensor values, IntTensor indices);

    // ---------------------------------------------------------------- training

    /// <summary>
    /// Cross-entropy of each row of logits [rows, classes] against its target, with label smoothing ε:
    /// loss = −(1 − ε)·log p[target] − (ε / classes)·Σ log p. Rows whose target is <paramref name="ignoreIndex"/>
    /// contribute nothing. Writes log-probabilities and the summed loss into the scalar <paramref name="lossSum"/>.
    /// </summary>
    public abstract void CrossEntropy(Tensor logits, IntTensor targets, int rows, int classes, int ignoreIndex, float smoothing, Tensor logProbabilities, Tensor lossSum);

    /// <summary>Gradient of the summed cross-entropy times the scalar <paramref name="scale"/>: scale·(softmax − q) per counted row, 0 for ignored rows.</summary>
    public abstract void CrossEntropyBackward(Tensor logProbabilities, IntTensor targets, int rows, int classes, int ignoreIndex, float smoothing, Tensor scale, Tensor dLogits);

    /// <summary>One Adam/AdamW update of a parameter from its gradient and moment estimates (PyTorch's formulation), all contiguous.</summary>
    public abstract void AdamUpdate(Tensor parameter, Tensor gradient, Tensor firstMoment, Tensor secondMoment, in AdamStep step);

    /// <summary>The sum of squares of x (contiguous) into the scalar <paramref name="result"/> (for gradient norms).</summary>
    public abstract void SumOfSquares(Tensor x, Tensor result);
}

/// <summary>
/// The scalars of one Adam step for one parameter, each computed by the optimiser in double precision (as PyTorch
/// does in Python) and rounded once: m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; p ← p·Decay − StepSize·m / (√v / √bc₂ + ε),
/// with g = gradient + L2·p.
/// </summary>
internal readonly record struct AdamStep(float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2, float Eps, float L2, float Decay, float StepSize, float SqrtBiasCorrection2);
