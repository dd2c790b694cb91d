using Modular.Tensors;

namespace Modular.NN;

/// <summary>
/// Multi-head self-attention with separate query, key, value and output projections:
/// softmax(Q·Kᵀ/√d_head)·V per head. Padding positions from <see cref="ForwardContext.PaddingMask"/> are
/// masked out of the keys. When hooks on the key and value projections prepend extra positions (prefix tuning),
/// the extra keys are always attended to. The heads run as one fused kernel (<see cref="Tensor.ScaledDotProductAttention"/>),
/// except when training with attention dropout.
/// </summary>
public sealed class MultiHeadSelfAttention : Layer, IHostLayer, IPrefixableAttention
{
    private readonly Dropout? dropout;

    /// <summary>Creates the four projections of a <paramref name="dimension"/>-wide layer with <paramref name="heads"/> heads.</summary>
    public MultiHeadSelfAttention(int dimension, int heads, Rng rng, float attentionDropout = 0f)
    {
        if (heads < 1 || dimension % heads != 0) throw new ConfigurationException($"MultiHeadSelfAttention: dimension {dimension} must be a positive multiple of heads ({heads}).");
        Dimension = dimension;
        Heads = heads;
        Query = Add("query", new Linear(dimension, dimension, rng));
        Key = Add("key", new Linear(dimension, dimension, rng));
        Value = Add("value", new Linear(dimension, dimension, rng));
        Output = Add("output", new Linear(dimension, dimension, rng));
        if (attentionDropout > 0) dropout = Add("dropout", new Dropout(attentionDropout, rng.Fork()));
    }

    /// <summary>Model dimension.</summary>
    public int Dimension { get; }

    /// <summary>Number of heads.</summary>
    public int Heads { get; }

    /// <summary>Query projection.</summary>
    public Linear Query { get; }

    /// <summary>Key projection.</summary>
    public Linear Key { get; }

    /// <summary>Value projection.</summary>
    public Linear Value { get; }

    /// <summary>Output projection.</summary>
    public Linear Output { get; }

    /// <inheritdoc/>
    public override string Description => $"{Dimension}, {Heads} heads";

    /// <inheritdoc/>
    protected override Tensor Compute(Tensor input)
    {
        if (input.Rank != 3 || input.Size(2) != Dimension)
            throw new ShapeMismatchException($"{Describe()}: input {input.Describe()} must be [batch, length, {Dimension}].");
        int batch = input.Size(0), length = input.Size(1);
        var q = Query.Forward(input);
        var k = Key.Forward(input);
        var v = Value.Forward(input);
        int keys = k.Size(1), prefixLength = keys - length;
        if (prefixLength < 0 || v.Size(1) != keys)
            throw new ShapeMismatchException($"MultiHeadSelfAttention: keys {k.Describe()} and values {v.Describe()} must have the same length, at least the query length {length}.");
        var mask = ForwardContext.Current?.PaddingMask;
        Tensor? keyMask = null;
        if (mask is not null)
        {
            if (mask.Rank != 2 || mask.Size(0) != batch || mask.Size(1) != length)
                throw new ShapeMismatchException($"{Describe()}: padding mask {mask.Describe()} must be [batch, length] = [{batch}, {length}] to match input {input.Describe()}.");
            keyMask = prefixLength == 0 ? mask : Tensor.Cat([Tensor.Full([batch, prefixLength], 1f, mask.Device), mask], 1);
        }
        var context = dropout is { Training: true }
            ? AttentionWithDropout(q, k, v, keyMask, dropout)
            : Tensor.ScaledDotProductAttention(q, k, v, Heads, keyMask);
        return Output.Forward(context);
    }

    /// <summary>
    /// Attention spelled out in tensor operations, for training with dropout on the attention probabilities (which
    /// the fused <see cref="Tensor.ScaledDotProductAttention"/> does not apply).
    /// </summary>
    private Tensor AttentionWithDropout(Tensor q, Tensor k, Tensor v, Tensor? keyMask, Dropout attentionDropout)
    {
        int batch = q.Size(0), length = q.Size(1), keys = k.Size(1), headDim = Dimension / Heads;
        var qh = q.Reshape(batch, length, Heads, headDim).Transpose(1, 2);
        var kh = k.Reshape(batch, keys, Heads, headDim).Transpose(1, 2);
        var vh = v.Reshape(batch, keys, Heads, headDim).Transpose(1, 2);
        var scores = qh.MatMul(kh.Transpose(-1, -2)).Mul(1f / MathF.Sqrt(headDim));
        if (keyMask is not null) scores = scores.MaskedFill((1f - keyMask).Reshape(batch, 1, 1, keys), float.NegativeInfinity);
        var attention = attentionDropout.Forward(scores.Softmax(-1));
        return attention.MatMul(vh).Transpose(1, 2).Reshape(batch, length, Dimension);
    }

    /// <inheritdoc/>
    int? IHostLayer.InputWidth => Dimension;

    /// <inheritdoc/>
    int? IHostLayer.OutputWidth => Dimension;

    /// <inheritdoc/>
    public bool IsKeyOrValueProjection(Module projection) => ReferenceEquals(projection, Key) || ReferenceEquals(projection, Value);
}
