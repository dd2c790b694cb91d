using Modular.NN;
using Modular.Tensors;
using Modular.Tensors.Autograd;

namespace Modular.Tests.Modular;

/// <summary>
/// Gradient checking by central finite differences: for a few entries of each parameter, (L(θ + h) − L(θ − h)) / 2h
/// against the autograd gradient, where L = Σ output ⊙ U for a fixed random U, summed in float64 from the float32
/// output. The step (1e-3) is small enough that ReLU kinks are rarely crossed and large enough for float32 forward
/// passes; the tolerance is 2% of the entry plus a floor of 1% of the largest gradient entry checked.
/// </summary>
internal static class ModuleGradientCheck
{
    private const float Step = 1e-3f;
    private const double Relative = 2e-2, Floor = 1e-2;

    /// <summary>Checks <paramref name="entriesPerParameter"/> evenly spread entries of each parameter; returns how many entries were checked.</summary>
    public static int Run(Func<Tensor> forward, IReadOnlyList<(string Path, Parameter Parameter)> parameters, int entriesPerParameter = 4, int seed = 11)
    {
        float[] upstream = [];
        var analytic = new Dictionary<string, float[]>(StringComparer.Ordinal);
        using (TensorScope.Begin())
        {
            foreach (var (_, p) in parameters) p.ZeroGrad();
            var output = forward();
            upstream = Upstream(output.Count, seed);
            using var weights = Tensor.FromArray(upstream, output.Shape.ToArray());
            output.Mul(weights).Sum().Backward();
            foreach (var (path, p) in parameters) analytic[path] = p.Grad?.ToArray() ?? new float[p.Count];
        }

        double Loss()
        {
            using var scope = TensorScope.Begin();
            using var noGrad = GradMode.NoGrad();
            var values = forward().ToArray();
            return values.Select((v, i) => (double)v * upstream[i]).Sum();
        }

        var checks = new List<(string What, double Analytic, double Numeric)>();
        foreach (var (path, p) in parameters)
        {
            var data = p.Span;
            foreach (int i in Enumerable.Range(0, entriesPerParameter).Select(k => (int)((long)k * p.Count / entriesPerParameter)).Distinct())
            {
                float original = data[i];
                float up = original + Step, down = original - Step;
                data[i] = up;
                double plus = Loss();
                data[i] = down;
                double minus = Loss();
                data[i] = original;
                checks.Add(($"{path}[{i}]", analytic[path][i], (plus - minus) / ((double)up - down)));
            }
        }
        double floor = Floor * Math.Max(checks.Max(c => Math.Abs(c.Analytic)), 1e-6);
        var wrong = checks.Where(c => Math.Abs(c.Analytic - c.Numeric) > Relative * Math.Abs(c.Numeric) + floor).ToList();
        Assert.True(wrong.Count == 0, $"Gradients disagree with finite differences: {string.Join("; ", wrong.Take(5).Select(c => $"{c.What}: autograd {c.Analytic:G5}, numeric {c.Numeric:G5}"))}.");
        Assert.Contains(checks, c => Math.Abs(c.Analytic) > 1e-4);   // a check of zeros against zeros proves nothing
        return checks.Count;
    }

    private static float[] Upstream(int count, int seed)
    {
        var rng = new Rng((ulong)seed);
        return Enumerable.Range(0, count).Select(_ => rng.NextNormal()).ToArray();
    }
}
