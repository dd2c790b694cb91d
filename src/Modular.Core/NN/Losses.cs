using Modular.Tensors;
using Modular.Tensors.Kernels;
using static Modular.Tensors.Autograd.Autograd;

namespace Modular.NN;

/// <summary>Loss functions with PyTorch's definitions and mean reduction.</summary>
public static class Losses
{
    /// <summary>PyTorch's default ignore index.</summary>
    public const int DefaultIgnoreIndex = -100;

    /// <summary>
    /// Mean cross-entropy of logits [.., classes] against integer targets [..] (same leading shape), skipping
    /// targets equal to <paramref name="ignoreIndex"/>, with optional label smoothing (PyTorch's definition).
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, IntTensor targets, int ignoreIndex = DefaultIgnoreIndex, float labelSmoothing = 0f)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        if (labelSmoothing is < 0f or > 1f) throw new ConfigurationException($"CrossEntropy: label smoothing {labelSmoothing} must lie in [0, 1].");
        if (logits.Rank < 1) throw new ShapeMismatchException($"CrossEntropy: logits {logits.Describe()} need a class dimension.");
        int classes = logits.Size(-1), rows = classes == 0 ? 0 : logits.Count / classes;
        var leading = logits.ShapeArray.AsSpan(0, logits.Rank - 1);
        if (!targets.ShapeArray.AsSpan().SequenceEqual(leading))
            throw new ShapeMismatchException($"CrossEntropy: targets {targets.Shape} must have the leading shape of logits {logits.Describe()}, i.e. {TensorShape.Format(leading)}.");
        targets.CheckRange(classes, "CrossEntropy", $"target class for logits {logits.Describe()}", ignoreIndex);
        var x = logits.Contiguous();
        var backend = logits.Backend;
        var logProbabilities = logits.EmptyLike([rows, classes]);
        var loss = logits.EmptyLike([]);
        backend.CrossEntropy(x, targets, rows, classes, ignoreIndex, labelSmoothing, logProbabilities, loss);
        // The mean over counted rows; the count comes from the (host) targets, so nothing is read back from a device.
        // PyTorch returns NaN when every target is ignored (0/0); so do we.
        int count = CountedRows(targets, ignoreIndex);
        backend.Unary(UnaryKind.Affine, loss, loss, count == 0 ? float.NaN : 1f / count, 0f);
        if (NeedsGrad(logits))
        {
            Record(loss, "CrossEntropy", g =>
            {
                var d = logits.EmptyLike(logits.ShapeArray);
                using var scale = logits.EmptyLike([]);
                backend.Unary(UnaryKind.Affine, g, scale, 1f / Math.Max(count, 1), 0f);
                backend.CrossEntropyBackward(logProbabilities, targets, rows, classes, ignoreIndex, labelSmoothing, scale, d);
                Accumulate(logits, d);
            }, logits);
        }
        return loss;
    }

    private static int CountedRows(IntTensor targets, int ignoreIndex)
    {
        int count = 0;
        foreach (var t in targets.Span) if (t != ignoreIndex) count++;
        return count;
    }

    /// <summary>Mean squared error.</summary>
    public static Tensor Mse(Tensor prediction, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(target);
        if (!prediction.Shape.Equals(target.Shape)) throw new ShapeMismatchException($"Mse: prediction {prediction.Describe()} and target {target.Describe()} must have the same shape.");
        return prediction.Sub(target).Square().Mean();
    }

    /// <summary>
    /// Mean binary cross-entropy on logits, computed stably: max(x, 0) − x·y + log(1 + e^−|x|) = softplus(x) − x·y.
    /// </summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        if (!logits.Shape.Equals(targets.Shape)) throw new ShapeMismatchException($"BinaryCrossEntropyWithLogits: logits {logits.Describe()} and targets {targets.Describe()} must have the same shape.");
        return logits.Softplus().Sub(logits.Mul(targets)).Mean();
    }
}
