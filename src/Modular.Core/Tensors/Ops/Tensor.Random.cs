using Modular.Tensors.Kernels;

namespace Modular.Tensors;

// Random tensors, all drawn from an explicit seeded generator.
public partial class Tensor
{
    /// <summary>Uniform values in [low, high).</summary>
    public static Tensor Uniform(Rng rng, float low, float high, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var t = Empty(TensorShape.Of(shape).Dims);
        rng.FillUniform(t.Span, low, high);
        return t;
    }

    /// <summary>Uniform values in [0, 1).</summary>
    public static Tensor Rand(Rng rng, params int[] shape) => Uniform(rng, 0f, 1f, shape);

    /// <summary>Standard normal values.</summary>
    public static Tensor Randn(Rng rng, params int[] shape) => Normal(rng, 0f, 1f, shape);

    /// <summary>Normal values with the given mean and standard deviation.</summary>
    public static Tensor Normal(Rng rng, float mean, float std, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var t = Empty(TensorShape.Of(shape).Dims);
        rng.FillNormal(t.Span, mean, std);
        return t;
    }

    /// <summary>1 with probability <paramref name="p"/>, else 0.</summary>
    public static Tensor Bernoulli(Rng rng, float p, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (p is < 0f or > 1f) throw new ConfigurationException($"Bernoulli: probability {p} must lie in [0, 1].");
        var t = Empty(TensorShape.Of(shape).Dims);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) s[i] = rng.NextFloat() < p ? 1f : 0f;
        return t;
    }

    /// <summary>Standard Gumbel noise −log(−log u), for Gumbel-softmax and noisy routing.</summary>
    public static Tensor Gumbel(Rng rng, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var t = Empty(TensorShape.Of(shape).Dims);
        var s = t.Span;
        for (int i = 0; i < s.Length; i++) s[i] = rng.NextGumbel();
        return t;
    }

    /// <summary>
    /// Inverted dropout: zeroes each element with probability <paramref name="p"/> and scales the rest by
    /// 1/(1 − p), so the expectation is unchanged; the identity when not <paramref name="training"/> or p = 0.
    /// </summary>
    public Tensor Dropout(float p, bool training, Rng rng)
    {
        if (p is < 0f or >= 1f) throw new ConfigurationException($"Dropout: probability {p} must lie in [0, 1).");
        if (!training || p == 0f) return this;
        // The mask is drawn on the host from the model's stream, so both backends drop the same elements.
        var hostMask = Bernoulli(rng, 1f - p, shape);
        hostMask.Backend.Unary(UnaryKind.Affine, hostMask, hostMask, 1f / (1f - p), 0f);
        var scaledMask = hostMask.To(Device);
        if (!ReferenceEquals(scaledMask, hostMask)) hostMask.Dispose();
        var y = Mul(scaledMask);
        DisposeTemporaries(y, scaledMask); // the backward of Mul reads the mask
        return y;
    }
}
