using Modular.Tensors.Kernels;
using static Modular.Tensors.Autograd.Autograd;

namespace Modular.Tensors;

// Multi-head scaled dot-product attention as one operation.
public partial class Tensor
{
    /// <summary>
    /// Multi-head scaled dot-product attention: <paramref name="query"/> [batch, queries, width] and
    /// <paramref name="key"/>, <paramref name="value"/> [batch, keys, width] are split into <paramref name="heads"/>
    /// heads of width / heads columns; each head's output is softmax(q·kᵀ / √(width / heads))·v, over the keys where
    /// <paramref name="keyMask"/> [batch, keys] is 1 (0 marks padding; every key when null), and the heads' outputs
    /// lie side by side in the result [batch, queries, width]. The same as reshaping into heads, MatMul, Softmax and
    /// MatMul — as one kernel per (batch item, head), without the scaled score tensor or the transposed copies of
    /// the heads. A query whose keys are all masked gets NaN, as in PyTorch.
    /// </summary>
    public static Tensor ScaledDotProductAttention(Tensor query, Tensor key, Tensor value, int heads, Tensor? keyMask = null)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        const string op = "ScaledDotProductAttention";
        CheckNotDisposed(query, op);
        CheckNotDisposed(key, op);
        CheckNotDisposed(value, op);
        if (query.Rank != 3 || key.Rank != 3 || value.Rank != 3)
            throw new ShapeMismatchException($"{op}: query {query.Describe()}, key {key.Describe()} and value {value.Describe()} must be [batch, length, width].");
        int batch = query.shape[0], queries = query.shape[1], width = query.shape[2], keys = key.shape[1];
        if (!key.shape.AsSpan().SequenceEqual(value.shape) || key.shape[0] != batch || key.shape[2] != width)
            throw new ShapeMismatchException($"{op}: key {key.Describe()} and value {value.Describe()} must both be [{batch}, keys, {width}] to match query {query.Describe()}.");
        if (heads < 1 || width % heads != 0)
            throw new ShapeMismatchException($"{op}: width {width} must be a positive multiple of heads ({heads}).");
        if (keys == 0) throw new ShapeMismatchException($"{op}: key {key.Describe()} has no positions to attend to.");
        if (keyMask is not null)
        {
            CheckNotDisposed(keyMask, op);
            if (keyMask.Rank != 2 || keyMask.shape[0] != batch || keyMask.shape[1] != keys)
                throw new ShapeMismatchException($"{op}: key mask {keyMask.Describe()} must be [batch, keys] = [{batch}, {keys}].");
        }

        var backend = SameDevice(op, query, key, value);
        if (keyMask is not null) SameDevice(op, query, keyMask);
        var q = query.Contiguous();
        var k = key.Contiguous();
        var v = value.Contiguous();
        var mask = keyMask?.Contiguous();
        var attentionShape = new AttentionShape(batch, heads, queries, keys, width, 1f / MathF.Sqrt(width / heads));
        var y = Empty([batch, queries, width], backend);
        var probabilities = Empty([batch, heads, queries, keys], backend);
        backend.Attention(q, k, v, mask, probabilities, y, attentionShape);
        if (mask is not null && !ReferenceEquals(mask, keyMask)) mask.Dispose();
        if (!NeedsGrad([q, k, v]))
        {
            probabilities.Dispose();
            return y;
        }
        Record(y, "Attention", g =>
        {
            var gc = g.Contiguous();
            // only the gradients an input wants are computed (a frozen projection's keys, say, want none)
            var dq = q.RequiresGrad ? Empty(q.shape, backend) : null;
            var dk = k.RequiresGrad ? Empty(k.shape, backend) : null;
            var dv = v.RequiresGrad ? Empty(v.shape, backend) : null;
            using (var scoreGradients = dq is null && dk is null ? null : Empty(probabilities.shape, backend))
                backend.AttentionBackward(q, k, v, probabilities, gc, scoreGradients, dq, dk, dv, attentionShape);
            if (dq is not null) Accumulate(q, dq);
            if (dk is not null) Accumulate(k, dk);
            if (dv is not null) Accumulate(v, dv);
        }, q, k, v);
        return y;
    }
}
