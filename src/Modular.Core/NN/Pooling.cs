using Modular.Tensors;

namespace Modular.NN;

/// <summary>Sequence pooling: one vector per example from per-token vectors (a classifier's input, an example-level router's features).</summary>
public static class Pooling
{
    /// <summary>Mean of hidden states [batch, length, dimension] over the sequence, counting only real tokens when a mask [batch, length] is present.</summary>
    public static Tensor MeanOverTokens(Tensor hidden, Tensor? paddingMask)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        if (hidden.Rank != 3) throw new ShapeMismatchException($"Pooling.MeanOverTokens: hidden states {hidden.Describe()} must be [batch, length, dimension].");
        if (paddingMask is null) return hidden.Mean(1);
        if (paddingMask.Rank != 2 || paddingMask.Size(0) != hidden.Size(0) || paddingMask.Size(1) != hidden.Size(1))
            throw new ShapeMismatchException($"Pooling.MeanOverTokens: padding mask {paddingMask.Describe()} must be [batch, length] = [{hidden.Size(0)}, {hidden.Size(1)}] to match hidden states {hidden.Describe()}.");
        var weights = paddingMask.Unsqueeze(-1);
        var summed = hidden.Mul(weights).Sum(1);
        var counts = paddingMask.Sum(1, keepDim: true).Clamp(1f, float.MaxValue);
        return summed.Div(counts);
    }
}
