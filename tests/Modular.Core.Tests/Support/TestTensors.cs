using Modular.Tensors;

namespace Modular.Tests.Support;

/// <summary>Seeded inputs for gradient checks, shaped so that finite differences never step across a kink.</summary>
internal static class TestTensors
{
    /// <summary>Standard-normal values.</summary>
    public static Tensor Normal(int seed, params int[] shape) => Tensor.Randn(new Rng((ulong)seed), shape);

    /// <summary>Uniform values in [low, high).</summary>
    public static Tensor Uniform(int seed, float low, float high, params int[] shape) => Tensor.Uniform(new Rng((ulong)seed), low, high, shape);

    /// <summary>Normal values pushed at least <paramref name="margin"/> away from zero (for ReLU, abs, division).</summary>
    public static Tensor AwayFromZero(int seed, float margin, params int[] shape)
    {
        var t = Normal(seed, shape);
        foreach (ref var v in t.Span) v = MathF.CopySign(MathF.Abs(v) + margin, v);
        return t;
    }

    /// <summary>
    /// The values (i − n/2)·<paramref name="spacing"/>, i = 0..n−1, in a seeded random order: no two are closer than
    /// the spacing, so maxima and top-k choices cannot change under a small perturbation.
    /// </summary>
    public static Tensor Distinct(int seed, float spacing, params int[] shape)
    {
        var t = Tensor.Zeros(shape);
        var order = Enumerable.Range(0, t.Count).ToList();
        new Rng((ulong)seed).Shuffle(order);
        var span = t.Span;
        for (int i = 0; i < span.Length; i++) span[i] = (order[i] - span.Length / 2) * spacing;
        return t;
    }

    /// <summary>A leaf that is a non-contiguous view: the transpose of a dense [<paramref name="columns"/>, <paramref name="rows"/>] tensor.</summary>
    public static Tensor TransposedLeaf(int seed, int rows, int columns)
    {
        var dense = Normal(seed, columns, rows);
        return dense.Transpose(0, 1);
    }
}
