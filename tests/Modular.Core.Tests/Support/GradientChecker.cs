using Modular.Tensors;
using Modular.Tensors.Autograd;
using Xunit.Abstractions;

namespace Modular.Tests.Support;

/// <summary>
/// Compares the gradients autograd computes with central finite differences of the same float32 function.
/// </summary>
/// <remarks>
/// <para>The scalar being differentiated is a random projection L(x) = Σ R ⊙ f(x) with a fixed standard-normal R,
/// summed in double, so every output element and every input element takes part and a gradient that is wrong
/// anywhere shows up. The analytic side seeds <c>Backward</c> with R itself (several outputs are combined as
/// Σ (yₖ ⊙ Rₖ).Sum()).</para>
/// <para>Numeric side: the fourth-order central stencil (−L(x+2h) + 8L(x+h) − 8L(x−h) + L(x−2h)) / 12h with
/// h = 10⁻²·max(1, |x|). Its truncation error, h⁴/30·|L⁽⁵⁾| ≈ 3·10⁻¹⁰·|L⁽⁵⁾|, is negligible, which lets the step
/// be large; the large step in turn keeps float32 rounding small: each L carries noise of a few ulps of the
/// outputs the element moves (ε = 6·10⁻⁸ relative), amplified by 1.5/h, i.e. ≈ 10⁻⁵ per unit of |R ⊙ y|.
/// The tolerance |analytic − numeric| ≤ 10⁻³ + 10⁻³·max(|analytic|, |numeric|) keeps a margin over that noise
/// (the worst comparison in this suite uses 16% of its tolerance, 35% for the 64×128·128×64 product whose outputs
/// each sum 128 terms), yet a backward that is wrong by a factor, a sign, a transposition or a missing term misses
/// it by orders of magnitude, and one 1% off fails too. (Agreement with PyTorch to 10⁻⁵ is the golden tests' job.)</para>
/// <para>Inputs with at most <see cref="ElementwiseLimit"/> elements are checked element by element; larger ones on
/// a random subset. Every check also compares three random directional derivatives over all inputs at once.
/// Inputs must stay more than 2h away from kinks (ReLU at 0, ties of max, clamp bounds) — choose them so.</para>
/// </remarks>
internal sealed class GradientChecker(ITestOutputHelper? output = null)
{
    /// <summary>Relative finite-difference step: h = Step · max(1, |x|).</summary>
    public const double Step = 1e-2;

    /// <summary>Absolute part of the tolerance, in gradient units.</summary>
    public const double AbsoluteTolerance = 1e-3;

    /// <summary>Relative part of the tolerance.</summary>
    public const double RelativeTolerance = 1e-3;

    /// <summary>Inputs up to this size are checked at every element; larger ones at <see cref="SampledElements"/> random elements.</summary>
    public const int ElementwiseLimit = 64;

    private const int SampledElements = 8;
    private const int Directions = 3;

    /// <summary>Checks <paramref name="function"/> (one output) at <paramref name="inputs"/> and fails the test on a mismatch.</summary>
    public GradientCheckResult Verify(Func<Tensor[], Tensor> function, params Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(function);
        return Verify(x => [function(x)], inputs);
    }

    /// <summary>Checks <paramref name="function"/> (several outputs) at <paramref name="inputs"/> and fails the test on a mismatch.</summary>
    public GradientCheckResult Verify(Func<Tensor[], Tensor[]> function, params Tensor[] inputs)
    {
        var result = Run(function, inputs);
        output?.WriteLine(result.Summary);
        if (!result.Passed) Assert.Fail(result.Report());
        return result;
    }

    /// <summary>Runs the comparison without judging it (the checker's own tests use this to see it fail).</summary>
    public static GradientCheckResult Run(Func<Tensor[], Tensor[]> function, Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(inputs);
        var rng = new Rng(20240917);
        var elements = inputs.Select(ElementOffsets).ToArray();
        var projections = Analytic(function, inputs, rng);
        var analytic = inputs.Select(x => x.Grad?.ToArray() ?? new float[x.Count]).ToArray();
        double Loss() => Projection(function, inputs, projections);

        var comparisons = new List<GradientComparison>();
        for (int i = 0; i < inputs.Length; i++)
        {
            var data = inputs[i].Data;
            foreach (int e in ChosenElements(inputs[i].Count, rng))
            {
                int at = elements[i][e];
                float x0 = data[at];
                double h = Step * Math.Max(1.0, Math.Abs(x0));
                double numeric = Stencil(k => { data[at] = (float)(x0 + k * h); return Loss(); }, h);
                data[at] = x0;
                comparisons.Add(new GradientComparison($"input {i} {Position(inputs[i], e)}", analytic[i][e], numeric, analytic[i][e]));
            }
        }
        for (int d = 0; d < Directions; d++) comparisons.Add(DirectionalDerivative(d, inputs, elements, analytic, rng, Loss));
        return new GradientCheckResult(comparisons);
    }

    /// <summary>Seeds backward with random projections of the outputs and returns those projections.</summary>
    private static float[][] Analytic(Func<Tensor[], Tensor[]> function, Tensor[] inputs, Rng rng)
    {
        foreach (var x in inputs)
        {
            x.RequiresGrad = true;
            x.ZeroGrad();
        }
        using var scope = TensorScope.Begin();
        var outputs = function(inputs);
        var projections = outputs.Select(y => Tensor.Randn(rng, y.Shape.ToArray())).ToArray();
        if (outputs.Length == 1) outputs[0].Backward(projections[0]);
        else
        {
            var loss = outputs.Zip(projections, (y, r) => y.Mul(r).Sum()).Aggregate((a, b) => a.Add(b));
            loss.Backward();
        }
        return projections.Select(r => r.ToArray()).ToArray();
    }

    /// <summary>Σ R ⊙ f(x) in double, recording nothing.</summary>
    private static double Projection(Func<Tensor[], Tensor[]> function, Tensor[] inputs, float[][] projections)
    {
        using var noGrad = GradMode.NoGrad();
        using var scope = TensorScope.Begin();
        var outputs = function(inputs);
        double sum = 0;
        for (int k = 0; k < outputs.Length; k++)
        {
            var y = outputs[k].ToArray();
            for (int j = 0; j < y.Length; j++) sum += (double)projections[k][j] * y[j];
        }
        return sum;
    }

    /// <summary>Fourth-order central difference of <paramref name="lossAt"/>(k) = L(x + k·h) at k = 0.</summary>
    private static double Stencil(Func<int, double> lossAt, double h) =>
        (-lossAt(2) + 8 * lossAt(1) - 8 * lossAt(-1) + lossAt(-2)) / (12 * h);

    private static GradientComparison DirectionalDerivative(int index, Tensor[] inputs, int[][] elements, float[][] analytic, Rng rng, Func<double> loss)
    {
        var origin = inputs.Select((x, i) => elements[i].Select(at => x.Data[at]).ToArray()).ToArray();
        var normal = origin.Select(values => values.Select(_ => (double)rng.NextNormal()).ToArray()).ToArray();
        double largest = normal.SelectMany(v => v).Select(Math.Abs).DefaultIfEmpty(1).Max();
        // Scaled so that each element moves by at most Step·max(1, |x|) per unit of t, as in the element-wise check.
        var direction = origin.Select((values, i) => values.Select((v, e) => normal[i][e] / largest * Math.Max(1.0, Math.Abs(v))).ToArray()).ToArray();
        double dot = 0, magnitude = 0;
        for (int i = 0; i < inputs.Length; i++)
        {
            for (int e = 0; e < direction[i].Length; e++)
            {
                dot += analytic[i][e] * direction[i][e];
                magnitude += Math.Abs(analytic[i][e] * direction[i][e]);
            }
        }
        void MoveTo(double t)
        {
            for (int i = 0; i < inputs.Length; i++)
                for (int e = 0; e < direction[i].Length; e++)
                    inputs[i].Data[elements[i][e]] = (float)(origin[i][e] + t * Step * direction[i][e]);
        }
        double numeric = Stencil(k => { MoveTo(k); return loss(); }, Step);
        MoveTo(0);
        return new GradientComparison($"random direction {index}", dot, numeric, magnitude);
    }

    /// <summary>Storage offsets of a leaf's elements in row-major order (views with any strides are allowed, overlapping ones not).</summary>
    private static int[] ElementOffsets(Tensor x)
    {
        var dims = x.Shape.ToArray();
        var strides = x.Strides.ToArray();
        var offsets = new int[x.Count];
        for (int e = 0; e < offsets.Length; e++)
        {
            int rem = e, at = x.Offset;
            for (int d = dims.Length - 1; d >= 0; d--)
            {
                at += rem % dims[d] * strides[d];
                rem /= dims[d];
            }
            offsets[e] = at;
        }
        if (offsets.Distinct().Count() != offsets.Length)
            throw new ArgumentException($"Gradient check input {x.Describe()} has overlapping elements (an expanded view); perturbing one would move several.");
        return offsets;
    }

    private static IEnumerable<int> ChosenElements(int count, Rng rng)
    {
        if (count <= ElementwiseLimit) return Enumerable.Range(0, count);
        var all = Enumerable.Range(0, count).ToList();
        rng.Shuffle(all);
        return all.Take(SampledElements).Order();
    }

    private static string Position(Tensor x, int flat)
    {
        var dims = x.Shape.ToArray();
        var index = new int[dims.Length];
        for (int d = dims.Length - 1; d >= 0; d--)
        {
            index[d] = flat % dims[d];
            flat /= dims[d];
        }
        return $"[{string.Join(", ", index)}]";
    }
}
