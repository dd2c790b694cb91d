using Modular.NN;
using Modular.Optim;
using Modular.Tensors;
using Modular.Tests.Support;
using Xunit.Abstractions;

namespace Modular.Tests.Golden;

/// <summary>
/// Optimisers, schedules and gradient clipping against PyTorch 1.13 (fixture nn-optim.json from
/// tests/golden/generate_nn.py): five training steps of a small MLP from the same weights and data must leave the
/// same parameters after every step.
/// </summary>
public sealed class NnOptimGoldenTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    /// <summary>
    /// The absolute floor for parameters near zero. Adam divides by √v, so a parameter whose gradient is tiny or
    /// changes sign amplifies float32 rounding of that gradient: in adamw_schedule_clip, '0.weight'[13] (gradient
    /// 1.6e-4, then 5.8e-4) is 1.2e-7 off float64 in PyTorch's run and 4.5e-7 in ours. 1e-6 is still 100× below the
    /// smallest effect of any hyper-parameter here (e.g. AdamW's decay lr·wd·p ≈ 1.5e-4).
    /// </summary>
    private const double Floor = 1e-6;

    private static readonly NnFixture Fixture = NnFixture.Load("nn-optim.json");

    public static TheoryData<string> Runs => new(Fixture.Keys("runs"));

    [Theory]
    [MemberData(nameof(Runs))]
    public void Parameters_after_each_of_five_steps_match_torch(string name)
    {
        var run = Fixture["runs/" + name];
        var rng = new Rng(0);
        var model = new Sequential(new Linear(6, 8, rng), new Activation(ActivationKind.Tanh), new Linear(8, 3, rng));
        model.LoadState(run.State("params", TorchStateNames.Same));
        var optimizer = Create(run, model.State());
        if (!run["schedule"].IsNull)
        {
            var s = run["schedule"];
            optimizer.Schedule = s.Flag("cosine")
                ? LearningRateSchedule.WarmupCosine(s.Int("warmup"), s.Int("total"), (float)s.Number("min_factor"))
                : LearningRateSchedule.WarmupLinear(s.Int("warmup"), s.Int("total"));
        }
        float? clip = run["clip"].IsNull ? null : (float)run.Number("clip");
        var x = Fixture.Tensor("x");
        var y = Fixture.Ints("y");

        var worst = new NnAssert.Deviation(0, 0);
        int step = 0;
        foreach (var expected in run.Items("steps"))
        {
            step++;
            var loss = Losses.CrossEntropy(model.Forward(x), y);
            Assert.Equal(expected.Number("loss"), loss.Item(), 1e-5);
            loss.Backward();
            if (clip is { } maxNorm) GradientClipping.ClipGlobalNorm(model.Parameters(), maxNorm);
            optimizer.Step();
            optimizer.ZeroGrad();
            foreach (var (path, parameter) in model.NamedParameters())
                worst = worst.Max(NnAssert.Close(parameter, expected.Tensor("params/" + path), Tolerance, Floor, $"{name}: '{path}' after step {step}"));
        }
        Assert.Equal(5, step);
        output.WriteLine($"{name}: {worst}; PyTorch's own float32 error {run.Number("float32_error"):G2}");
    }

    [Fact]
    public void Defaults_match_torch()
    {
        var sgd = Fixture["defaults/sgd"];
        var plain = new Sgd(0.1f);
        Assert.Equal((float)sgd.Number("momentum"), plain.Momentum);
        Assert.Equal((float)sgd.Number("dampening"), plain.Dampening);
        Assert.Equal(sgd.Flag("nesterov"), plain.Nesterov);
        Assert.Equal((float)sgd.Number("weight_decay"), plain.WeightDecay);
        foreach (var (kind, optimizer) in new (string, Adam)[] { ("adam", new Adam()), ("adamw", new AdamW()) })
        {
            var d = Fixture["defaults/" + kind];
            Assert.Equal((float)d.Number("lr"), optimizer.LearningRate);
            Assert.Equal((float)d.Number("weight_decay"), optimizer.WeightDecay);
            Assert.Equal((float)d.Number("eps"), optimizer.Eps);
            var betas = d.Items("betas").Select(b => b.Number("")).ToArray();
            Assert.Equal(betas, new[] { optimizer.Beta1, optimizer.Beta2 });
        }
    }

    [Fact]
    public void Warmup_schedules_give_the_factors_LambdaLR_applies()
    {
        foreach (var s in Fixture.Items("schedules"))
        {
            int warmup = s.Int("warmup"), total = s.Int("total");
            var schedule = s.Flag("cosine")
                ? LearningRateSchedule.WarmupCosine(warmup, total, (float)s.Number("min_factor"))
                : LearningRateSchedule.WarmupLinear(warmup, total);
            var expected = s.Items("factors").Select(f => f.Number("")).ToArray();
            for (int step = 0; step < expected.Length; step++)
                Assert.True(Math.Abs(schedule.Factor(step) - expected[step]) <= 1e-6,
                    $"{(s.Flag("cosine") ? "cosine" : "linear")} warm-up {warmup}, total {total}: step {step} gives {schedule.Factor(step)}, PyTorch {expected[step]}.");
        }
    }

    [Fact]
    public void Global_norm_clipping_matches_clip_grad_norm()
    {
        foreach (var c in Fixture.Items("clipping"))
        {
            var parameters = c.Items("grads").Select(g =>
            {
                var gradient = g.Tensor();
                return new Parameter(Tensor.ZerosLike(gradient)) { Grad = gradient };
            }).ToList();
            float norm = GradientClipping.ClipGlobalNorm(parameters, (float)c.Number("max_norm"));
            Assert.Equal(c.Number("norm"), norm, 1e-6 * c.Number("norm"));
            foreach (var (parameter, clipped) in parameters.Zip(c.Items("clipped")))
                NnAssert.Close(parameter.Grad, clipped.Tensor(), Tolerance, 1e-7, $"clipped gradient (max norm {c.Number("max_norm")})");
        }
    }

    /// <summary>The optimiser the run describes, with its parameter groups by path and PyTorch's resolved settings.</summary>
    private static Optimizer Create(NnFixture run, IReadOnlyDictionary<string, Tensor> state)
    {
        var first = run.Items("groups").First();
        float lr = (float)first.Number("lr"), decay = (float)first.Number("weight_decay");
        Optimizer optimizer = run.Text("kind") switch
        {
            "sgd" => new Sgd(lr, (float)first.Number("momentum"), (float)first.Number("dampening"), first.Flag("nesterov"), decay),
            "adam" => new Adam(lr, Beta(first, 0), Beta(first, 1), (float)first.Number("eps"), decay),
            "adamw" => new AdamW(lr, Beta(first, 0), Beta(first, 1), (float)first.Number("eps"), decay),
            var kind => throw new InvalidOperationException($"Unknown optimiser kind '{kind}' in the fixture."),
        };
        foreach (var group in run.Items("groups"))
        {
            var parameters = group.Items("params").Select(p => (Parameter)state[p.Text("")]);
            optimizer.AddGroup(new ParameterGroup(parameters, (float)group.Number("lr"), (float)group.Number("weight_decay")));
        }
        return optimizer;
    }

    private static double Beta(NnFixture group, int index) => group.Items("betas").ElementAt(index).Number("");
}
