using Modular.Tensors;

namespace Modular.TorchSharp.Tests.Backend;

/// <summary>
/// Runs one computation on the CPU engine and on libtorch's CPU device from the same inputs and checks that outputs
/// and input gradients agree: |torch − cpu| ≤ 1e-5·(|cpu| + rms(cpu)) per element (the rms term stands for the
/// summation-order rounding that a sum of many terms carries whatever its value).
/// </summary>
internal static class BothDevices
{
    public const float Tolerance = 1e-5f;

    public static Device Torch => Device.Torch("cpu");

    /// <summary>Random inputs of the given shapes (values in [low, high)), host arrays shared by both runs.</summary>
    public static float[][] Inputs(int seed, float low, float high, params int[][] shapes)
    {
        var rng = new Random(seed);
        return [.. shapes.Select(s => Enumerable.Range(0, s.Aggregate(1, (a, b) => a * b)).Select(_ => low + (float)rng.NextDouble() * (high - low)).ToArray())];
    }

    /// <summary>
    /// f on both devices, forward and backward (the output weighted by fixed random values, summed, differentiated),
    /// compared to <see cref="Tolerance"/>; returns the CPU engine's output for further checks.
    /// </summary>
    public static float[] Agree(Func<Tensor[], Tensor> f, int[][] shapes, float[][] values, bool differentiate = true)
    {
        var (cpuOut, cpuGrads) = Run(f, shapes, values, Device.Cpu, differentiate);
        var (torchOut, torchGrads) = Run(f, shapes, values, Torch, differentiate);
        AssertClose(cpuOut, torchOut, "output");
        for (int i = 0; i < cpuGrads.Length; i++) AssertClose(cpuGrads[i], torchGrads[i], $"gradient of input {i}");
        return cpuOut;
    }

    public static float[] Agree(Func<Tensor[], Tensor> f, params int[][] shapes) => Agree(f, shapes, Inputs(7, -2f, 2f, shapes));

    private static (float[] Output, float[][] Gradients) Run(Func<Tensor[], Tensor> f, int[][] shapes, float[][] values, Device device, bool differentiate)
    {
        using var scope = TensorScope.Begin();
        var inputs = shapes.Select((s, i) =>
        {
            var t = Tensor.FromArray(values[i], s, device);
            t.RequiresGrad = differentiate;
            return t;
        }).ToArray();
        var y = f(inputs);
        Assert.Same(device, y.Device);
        var output = y.ToArray();
        if (!differentiate) return (output, []);
        var weights = Inputs(99, -1f, 1f, [y.Count])[0];
        y.Mul(Tensor.FromArray(weights, y.Shape.ToArray(), device)).Sum().Backward();
        return (output, [.. inputs.Select(t => t.Grad is { } g ? g.ToArray() : new float[t.Count])]);
    }

    public static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double rms = expected.Length == 0 ? 0 : Math.Sqrt(expected.Select(v => (double)v * v).Average());
        for (int i = 0; i < expected.Length; i++)
        {
            float e = expected[i], a = actual[i];
            if (float.IsNaN(e) && float.IsNaN(a)) continue;
            if (float.IsInfinity(e) && e == a) continue;
            double tolerance = Tolerance * (Math.Abs(e) + rms);
            Assert.True(Math.Abs(a - e) <= tolerance, $"{what}[{i}]: torch {a} vs CPU engine {e} (difference {Math.Abs(a - e):g3}, tolerance {tolerance:g3})");
        }
    }
}
