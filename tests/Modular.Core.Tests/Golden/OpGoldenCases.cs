using System.Globalization;
using Modular.Tensors;
using Xunit.Abstractions;

namespace Modular.Tests.Golden;

/// <summary>
/// Every tensor operation against PyTorch 1.13: the same inputs give the same outputs, and backward of Σ R ⊙ output
/// the same input gradients, within 10⁻⁵ relative. Fixtures: tests/golden/fixtures (see tests/golden/README.md).
/// Run on each backend: the CPU engine here (<see cref="OpGoldenTests"/>), libtorch in Modular.TorchSharp.Tests.
/// </summary>
public abstract class OpGoldenCases(ITestOutputHelper output)
{
    /// <summary>The device every argument is made on.</summary>
    protected abstract Device Device { get; }

    /// <summary>Required agreement, relative to PyTorch's value.</summary>
    private const double RelativeTolerance = 1e-5;

    /// <summary>
    /// Absolute floor for values near zero, where relative error stops meaning anything: a float32 sum or product of
    /// O(1) terms that cancels to ~10⁻³ still carries the O(10⁻⁷) rounding of its terms.
    /// </summary>
    private const double AbsoluteFloor = 1e-6;

    public static TheoryData<string> CaseNames() => new(GoldenFixtures.Cases.Keys.Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Outputs_and_input_gradients_match_PyTorch(string name)
    {
        var golden = GoldenFixtures.Cases[name];
        using var scope = TensorScope.Begin();
        var inputs = golden.Inputs.ToDictionary(p => p.Key, p => Leaf(p.Value));
        var arguments = golden.Constants.ToDictionary(p => p.Key, p => p.Value.ToTensor(Device));
        foreach (var (key, leaf) in inputs) arguments.Add(key, leaf);

        var outputs = GoldenOperations.All[name](new GoldenArguments(arguments, golden.Indices, Device));
        Assert.All(outputs, y => Assert.Same(Device, y.Device));

        var agreement = new Agreement();
        Assert.Equal(golden.Outputs.Count, outputs.Length);
        for (int k = 0; k < outputs.Length; k++) agreement.Compare($"output {k}", golden.Outputs[k], outputs[k]);
        if (golden.Projections.Count > 0)
        {
            Backward(outputs, golden.Projections);
            foreach (var (key, expected) in golden.Gradients)
            {
                using var zeros = Tensor.Zeros(inputs[key].Shape.ToArray(), Device);
                agreement.Compare($"gradient of {key}", expected, inputs[key].Grad ?? zeros);
            }
        }
        output.WriteLine(agreement.Summary(name));
        agreement.AssertWithinTolerance(name);
    }

    [Fact]
    public void Every_recorded_case_has_a_CSharp_twin_and_every_twin_a_recording()
    {
        Assert.Empty(GoldenFixtures.Cases.Keys.Except(GoldenOperations.All.Keys));
        Assert.Empty(GoldenOperations.All.Keys.Except(GoldenFixtures.Cases.Keys));
    }

    private Tensor Leaf(GoldenArray array)
    {
        var t = array.ToTensor(Device);
        t.RequiresGrad = true;
        return t;
    }

    /// <summary>Seeds backward exactly as the generator did: the gradient reaching output k is Rₖ.</summary>
    private void Backward(Tensor[] outputs, IReadOnlyList<GoldenArray> projections)
    {
        var seeds = projections.Select(p => p.ToTensor(Device)).ToArray();
        if (outputs.Length == 1) outputs[0].Backward(seeds[0]);
        else outputs.Zip(seeds, (y, r) => y.Mul(r).Sum()).Aggregate((a, b) => a.Add(b)).Backward();
    }

    /// <summary>Element-wise comparisons of one case, remembering the worst relative error and the worst share of the tolerance.</summary>
    private sealed class Agreement
    {
        private readonly List<string> failures = [];
        private double worstRelative, worstShare;

        public void Compare(string what, GoldenArray expected, Tensor actual)
        {
            Assert.True(expected.Shape.AsSpan().SequenceEqual(actual.Shape.ToArray()), $"{what}: shape {actual.Shape} differs from PyTorch's {TensorShape.Format(expected.Shape)}.");
            var values = actual.ToArray();
            for (int i = 0; i < values.Length; i++)
            {
                double e = expected.Data[i], error = Math.Abs(values[i] - e);
                double share = error / (RelativeTolerance * Math.Abs(e) + AbsoluteFloor);
                if (Math.Abs(e) * RelativeTolerance >= AbsoluteFloor) worstRelative = Math.Max(worstRelative, error / Math.Abs(e));
                worstShare = Math.Max(worstShare, double.IsNaN(share) ? double.PositiveInfinity : share);
                if (!(share <= 1)) failures.Add(string.Create(CultureInfo.InvariantCulture, $"{what} [{i}]: {values[i]:G9} vs PyTorch {e:G9}"));
            }
        }

        public string Summary(string name) => string.Create(CultureInfo.InvariantCulture,
            $"{name}: worst relative error {worstRelative:E2} (where |value| ≥ {AbsoluteFloor / RelativeTolerance}), worst error/tolerance {worstShare:F3}");

        public void AssertWithinTolerance(string name)
        {
            if (failures.Count > 0) Assert.Fail($"{name}: {failures.Count} values differ from PyTorch by more than {RelativeTolerance}·|value| + {AbsoluteFloor}:\n  " + string.Join("\n  ", failures.Take(10)));
        }
    }
}
