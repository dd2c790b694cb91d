using Modular.Aggregation;
using Modular.Computation;
using Modular.NN;
using Modular.Tensors;
using Modular.Tests.Support;

namespace Modular.Tests.Aggregation;

/// <summary>
/// Parameter aggregation: weighted averaging of modules, task arithmetic (including negation) and TIES-merging,
/// checked element by element against the formulas.
/// </summary>
public sealed class ModuleMergingTests
{
    private readonly Sequential net = new(new Linear(5, 4, new Rng(1)), new Linear(4, 3, new Rng(2)));
    private readonly ModularModel model;

    /// <summary>LoRA "a" and "b" on both layers, "c" on the second only; all parameters random.</summary>
    public ModuleMergingTests()
    {
        model = net.WithModules(seed: 3);
        model.Attach("0|1", new LoRA(rank: 2, alpha: 4f), "a").Attach("0|1", new LoRA(rank: 2, alpha: 4f), "b").Attach("1", new LoRA(rank: 2, alpha: 4f), "c");
        ModuleValues.Randomize(net, new Rng(4));
    }

    private LoRAModule Lora(string name, int part) => (LoRAModule)model.Get(name).Parts[part].Module;

    /// <summary>ΔW = (α/r)·B·A in double precision.</summary>
    private double[] Delta(string name, int part)
    {
        var lora = Lora(name, part);
        int outFeatures = lora.B.Size(0), inFeatures = lora.A.Size(1);
        var delta = new double[outFeatures * inFeatures];
        for (int o = 0; o < outFeatures; o++)
            for (int i = 0; i < inFeatures; i++)
                for (int r = 0; r < lora.Rank; r++) delta[o * inFeatures + i] += lora.Scale * lora.B[o, r] * lora.A[r, i];
        return delta;
    }

    private static void AssertClose(double[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Abs(expected[i]) + 1e-6, $"{what}[{i}]: {actual[i]:G9}, expected {expected[i]:G9}");
    }

    [Fact]
    public void Weighted_average_gives_each_parameter_the_normalised_weighted_sum()
    {
        var merged = ModuleMerging.WeightedMerge(model, "avg", ["a", "b"], [1f, 3f]);
        Assert.Equal(["0", "1"], merged.Parts.Select(p => p.Site.HostPath));
        for (int part = 0; part < 2; part++)
        {
            var avg = (LoRAModule)merged.Parts[part].Module;
            AssertClose(Lora("a", part).A.ToArray().Zip(Lora("b", part).A.ToArray(), (a, b) => 0.25 * a + 0.75 * b).ToArray(), avg.A.ToArray(), $"A at site {part}");
            AssertClose(Lora("a", part).B.ToArray().Zip(Lora("b", part).B.ToArray(), (a, b) => 0.25 * a + 0.75 * b).ToArray(), avg.B.ToArray(), $"B at site {part}");
        }
    }

    [Fact]
    public void Averaging_modules_attached_at_different_sites_is_rejected()
    {
        var error = Assert.Throws<ConfigurationException>(() => ModuleMerging.WeightedMerge(model, "avg", ["a", "c"]));
        Assert.Contains("must be of the same method attached at the same sites", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Task_arithmetic_sums_scaled_weight_deltas_per_layer()
    {
        var merged = ModuleMerging.TaskArithmetic(model, "sum", [("a", 1f), ("b", -0.5f), ("c", 2f)]);
        Assert.Equal(["0", "1"], merged.Parts.Select(p => p.Site.HostPath));
        var site0 = Delta("a", 0).Zip(Delta("b", 0), (a, b) => a - 0.5 * b).ToArray();                                  // c is not on layer 0
        var site1 = Delta("a", 1).Zip(Delta("b", 1), (a, b) => a - 0.5 * b).Zip(Delta("c", 0), (ab, c) => ab + 2 * c).ToArray();
        AssertClose(site0, ((WeightDeltaModule)merged.Parts[0].Module).Delta.ToArray(), "ΔW at layer 0");
        AssertClose(site1, ((WeightDeltaModule)merged.Parts[1].Module).Delta.ToArray(), "ΔW at layer 1");
    }

    [Fact]
    public void Negating_a_task_vector_undoes_the_task()
    {
        var x = Tensor.Randn(new Rng(5), 6, 5);
        model.Active = null;
        var baseOutput = net.Forward(x);
        model.Active = "a";
        var withA = net.Forward(x);
        ModuleMerging.TaskArithmetic(model, "forget", [("a", -1f)]);
        model.Active = new Stack("a", "forget");
        NnAssert.Close(net.Forward(x), baseOutput, 1e-5, 1e-5, "base + ΔW_a − ΔW_a");
        Assert.True(withA.ToArray().Zip(baseOutput.ToArray()).Max(p => Math.Abs(p.First - p.Second)) > 0.1, "module a changes nothing; the test proves nothing");
    }

    /// <summary>
    /// Three task vectors, density 0.6 (keep ⌈0.6·5⌉ = 3 entries each):
    ///   τ₁ = ( 0.5, −0.1,  0.9, −0.8, 0.05) → ( 0.5,  0,    0.9, −0.8, 0  )
    ///   τ₂ = (−0.6,  0.2,  0.3, −0.4, 0   ) → (−0.6,  0,    0.3, −0.4, 0  )
    ///   τ₃ = ( 0.2, −0.7, −0.2,  0.3, 0.6 ) → ( 0,   −0.7,  0,    0.3, 0.6)
    /// elected signs (sign of the sum): −, −, +, −, +; disjoint means of the agreeing entries:
    ///   −0.6, −0.7, (0.9 + 0.3)/2 = 0.6, (−0.8 − 0.4)/2 = −0.6, 0.6.
    /// </summary>
    [Fact]
    public void Ties_trims_elects_signs_and_averages_the_agreeing_entries()
    {
        float[][] vectors =
        [
            [0.5f, -0.1f, 0.9f, -0.8f, 0.05f],
            [-0.6f, 0.2f, 0.3f, -0.4f, 0f],
            [0.2f, -0.7f, -0.2f, 0.3f, 0.6f],
        ];
        Assert.Equal([0.5f, 0f, 0.9f, -0.8f, 0f], Ties.Trim(vectors[0], 0.6f));
        AssertClose([-0.6, -0.7, 0.6, -0.6, 0.6], Ties.Merge(vectors, density: 0.6f), "TIES");
        AssertClose([-1.2, -1.4, 1.2, -1.2, 1.2], Ties.Merge(vectors, density: 0.6f, scale: 2f), "TIES, λ = 2");
        // with everything kept, entry 0 elects + (0.5 − 0.6 + 0.2) and averages 0.5 and 0.2; entry 4 averages 0.05 and 0.6, not the zero
        AssertClose([0.35, -0.4, 0.6, -0.6, 0.325], Ties.Merge(vectors, density: 1f), "TIES without trimming");
    }

    [Theory]
    [InlineData(0.3f, 100, 30)] // 0.3f·100 is 30.000002 in float; ⌈·⌉ must still keep 30
    [InlineData(0.6f, 100, 60)]
    [InlineData(0.2f, 10, 2)]
    [InlineData(0.25f, 10, 3)]
    [InlineData(1f, 7, 7)]
    public void Trimming_keeps_the_ceiling_of_density_times_size_as_written(float density, int size, int kept)
    {
        var vector = Enumerable.Range(1, size).Select(i => (float)i).ToArray();
        var trimmed = Ties.Trim(vector, density);
        Assert.Equal(kept, trimmed.Count(v => v != 0));
        Assert.Equal(vector[^kept..], trimmed[^kept..]); // the largest magnitudes survive
    }

    [Fact]
    public void Ties_merging_of_modules_applies_the_merge_to_each_layers_deltas()
    {
        var merged = ModuleMerging.TiesMerge(model, "ties", ["a", "b"], density: 0.5f);
        for (int part = 0; part < 2; part++)
        {
            var deltas = new[] { "a", "b" }.Select(n => Delta(n, part).Select(v => (float)v).ToArray()).ToList();
            AssertClose(Ties.Merge(deltas, 0.5f).Select(v => (double)v).ToArray(), ((WeightDeltaModule)merged.Parts[part].Module).Delta.ToArray(), $"TIES at layer {part}");
        }
    }
}
