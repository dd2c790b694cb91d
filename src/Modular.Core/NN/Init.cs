using Modular.Tensors;

namespace Modular.NN;

/// <summary>Weight initialisers with PyTorch's definitions (fan-in/fan-out from the tensor's shape).</summary>
public static class Init
{
    /// <summary>(fan_in, fan_out) as PyTorch computes them: dims 1 and 0 times the receptive field.</summary>
    public static (int FanIn, int FanOut) Fans(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length < 2) throw new ShapeMismatchException($"Fan-in/fan-out need at least 2 dimensions; got {TensorShape.Format(shape)}.");
        int receptive = 1;
        for (int i = 2; i < shape.Length; i++) receptive *= shape[i];
        return (shape[1] * receptive, shape[0] * receptive);
    }

    /// <summary>U(−b, b) with b = gain·√(3/fan_in), gain = √(2/(1 + a²)) (PyTorch's kaiming_uniform_ with leaky-ReLU slope a).</summary>
    public static Tensor KaimingUniform(Rng rng, float a, params int[] shape)
    {
        var (fanIn, _) = Fans(shape);
        float gain = MathF.Sqrt(2f / (1f + a * a));
        float bound = gain * MathF.Sqrt(3f / fanIn);
        return Tensor.Uniform(rng, -bound, bound, shape);
    }

    /// <summary>U(−b, b) with b = gain·√(6/(fan_in + fan_out)).</summary>
    public static Tensor XavierUniform(Rng rng, float gain = 1f, params int[] shape)
    {
        var (fanIn, fanOut) = Fans(shape);
        float bound = gain * MathF.Sqrt(6f / (fanIn + fanOut));
        return Tensor.Uniform(rng, -bound, bound, shape);
    }

    /// <summary>N(0, σ²) with σ = gain·√(2/(fan_in + fan_out)).</summary>
    public static Tensor XavierNormal(Rng rng, float gain = 1f, params int[] shape)
    {
        var (fanIn, fanOut) = Fans(shape);
        return Tensor.Normal(rng, 0f, gain * MathF.Sqrt(2f / (fanIn + fanOut)), shape);
    }

    /// <summary>PyTorch's default for a Linear weight: kaiming_uniform with a = √5, i.e. U(−1/√fan_in, 1/√fan_in).</summary>
    public static Tensor LinearWeight(Rng rng, int outFeatures, int inFeatures) => KaimingUniform(rng, MathF.Sqrt(5f), outFeatures, inFeatures);

    /// <summary>PyTorch's default for a Linear bias: U(−1/√fan_in, 1/√fan_in).</summary>
    public static Tensor LinearBias(Rng rng, int outFeatures, int inFeatures)
    {
        float bound = inFeatures > 0 ? 1f / MathF.Sqrt(inFeatures) : 0f;
        return Tensor.Uniform(rng, -bound, bound, outFeatures);
    }
}
