using Modular.Aggregation;
using Modular.Computation;
using Modular.NN;
using Modular.Reports;
using Modular.Routing;
using Modular.Tensors;
using Modular.Tensors.Autograd;
using Modular.Tests.Support;

namespace Modular.Tests.Routing;

/// <summary>
/// Top-k routing by hand-computed examples: the gate is the identity, so each row's logits are its features and
/// the router probabilities are whatever the row's log-probabilities say.
/// </summary>
public sealed class TopKRouterTests
{
    /// <summary>A router over three modules whose logits equal its three input features.</summary>
    private static TopKRouter IdentityRouter(int k, float capacityFactor = 0f)
    {
        var router = new TopKRouter(3, 3, k, new Rng(0), capacityFactor);
        SetIdentity(router.Gate);
        return router;
    }

    private static void SetIdentity(Linear gate)
    {
        using var noGrad = GradMode.NoGrad();
        using var identity = Tensor.FromArray(new float[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } });
        gate.Weight.Assign(identity);
    }

    /// <summary>Rows whose softmax is the given distribution: logits = log p.</summary>
    private static Tensor LogProbabilities(float[,] p)
    {
        var logits = new float[p.GetLength(0), p.GetLength(1)];
        for (int r = 0; r < p.GetLength(0); r++)
            for (int c = 0; c < p.GetLength(1); c++) logits[r, c] = MathF.Log(p[r, c]);
        return Tensor.FromArray(logits);
    }

    [Fact]
    public void Top2_picks_the_two_most_probable_modules_and_renormalises_their_weights()
    {
        var router = IdentityRouter(k: 2);
        // row 0: p = (1/8, 2/8, 5/8) → modules 2 and 1 with 5/7 and 2/7; row 1: p = (4/8, 3/8, 1/8) → 0 and 1 with 4/7 and 3/7
        var decision = router.Route(LogProbabilities(new float[,] { { 1 / 8f, 2 / 8f, 5 / 8f }, { 4 / 8f, 3 / 8f, 1 / 8f } }));

        Assert.Equal([2, 1, 0, 1], decision.Chosen!.ToArray());
        NnAssert.Close(decision.ChosenWeights, Tensor.FromArray(new float[,] { { 5 / 7f, 2 / 7f }, { 4 / 7f, 3 / 7f } }), 1e-6, 1e-7, "renormalised gates");
        NnAssert.Close(decision.Weights, Tensor.FromArray(new float[,] { { 0, 2 / 7f, 5 / 7f }, { 4 / 7f, 3 / 7f, 0 } }), 1e-6, 1e-7, "dense weights");
        NnAssert.Close(decision.Probabilities, Tensor.FromArray(new float[,] { { 1 / 8f, 2 / 8f, 5 / 8f }, { 4 / 8f, 3 / 8f, 1 / 8f } }), 1e-6, 1e-7, "probabilities");
        Assert.All(decision.Kept!, Assert.True);
    }

    [Fact]
    public void Top1_gates_the_chosen_module_with_its_router_probability_as_Switch_does()
    {
        var decision = IdentityRouter(k: 1).Route(LogProbabilities(new float[,] { { 0.2f, 0.7f, 0.1f } }));
        Assert.Equal([1], decision.Chosen!.ToArray());
        // not renormalised over k = 1 (which would make every gate exactly 1)
        NnAssert.Close(decision.Weights, Tensor.FromArray(new float[,] { { 0, 0.7f, 0 } }), 1e-6, 1e-7, "weights");
        NnAssert.Close(decision.ChosenWeights, Tensor.FromArray(new float[,] { { 0.7f } }), 1e-6, 1e-7, "gate");
    }

    [Fact]
    public void Top2_with_normalization_off_keeps_the_raw_probabilities()
    {
        var router = new TopKRouter(3, 3, 2, new Rng(0), normalizeTopK: false);
        SetIdentity(router.Gate);
        var decision = router.Route(LogProbabilities(new float[,] { { 1 / 8f, 2 / 8f, 5 / 8f } }));
        NnAssert.Close(decision.ChosenWeights, Tensor.FromArray(new float[,] { { 5 / 8f, 2 / 8f } }), 1e-6, 1e-7, "raw gates");
        Assert.False(router.Renormalizes);
        Assert.False(new TopKRouter(3, 3, 1, new Rng(0)).Renormalizes);
    }

    [Fact]
    public void A_top1_router_learns_from_the_task_loss_through_its_gate()
    {
        // y = Σ over rows of p_chosen · E(x): the task loss alone must reach the gate weights. With the gate renormalised
        // to 1 (the old bug) this gradient was zero up to rounding.
        var net = new Sequential(new Linear(3, 3, new Rng(5)));
        var model = net.WithModules(seed: 6);
        model.Attach("0", new BottleneckAdapter(reduction: 1), "e0").Attach("0", new BottleneckAdapter(reduction: 1), "e1");
        ModuleValues.Randomize(net, new Rng(7));
        var mixture = new Mixture(Routers.TopK(k: 1, balanceWeight: 0f, zLossWeight: 0f), ["e0", "e1"]);
        model.Active = mixture;
        var gate = ((TopKRouter)mixture.RoutersOf(model).Single()).Gate.Weight;
        var x = Tensor.Randn(new Rng(8), 16, 3);

        float Loss() { using (GradMode.NoGrad()) return net.Forward(x).Square().Sum().Item(); }
        net.Forward(x).Square().Sum().Backward();
        var analytic = gate.Grad!.ToArray();
        Assert.True(analytic.Max(Math.Abs) > 1e-2, $"the router's gradient from the task loss is {analytic.Max(Math.Abs):G3}");
        // central differences on each gate weight (the choices do not flip for a step this small)
        const float h = 1e-2f;
        for (int i = 0; i < analytic.Length; i++)
        {
            float original = gate.ToArray()[i];
            float[] Nudged(float v) { var w = gate.ToArray(); w[i] = v; return w; }
            using (GradMode.NoGrad()) { using var t = Tensor.FromArray(Nudged(original + h), gate.Shape.ToArray()); gate.Assign(t); }
            float up = Loss();
            using (GradMode.NoGrad()) { using var t = Tensor.FromArray(Nudged(original - h), gate.Shape.ToArray()); gate.Assign(t); }
            float down = Loss();
            using (GradMode.NoGrad()) { using var t = Tensor.FromArray(Nudged(original), gate.Shape.ToArray()); gate.Assign(t); }
            Assert.Equal((up - down) / (2 * h), analytic[i], 0.02 * Math.Max(1, Math.Abs(analytic[i])));
        }
    }

    [Theory]
    [InlineData(6, 1.0f, 2)]    // ⌈⌈6/3⌉·1⌉
    [InlineData(6, 1.5f, 3)]    // ⌈2·1.5⌉
    [InlineData(7, 1.25f, 4)]   // ⌈⌈7/3⌉·1.25⌉ = ⌈3.75⌉; ⌈7/3·1.25⌉ would be 3
    [InlineData(2, 0.5f, 1)]    // ⌈⌈2/3⌉·0.5⌉ = ⌈0.5⌉
    [InlineData(30, 1.1f, 11)]  // ⌈10·1.1⌉, although 1.1f·10 is 11.0000002 in binary
    public void Capacity_is_the_ceiling_of_the_rounded_up_fair_share_times_the_factor(int rows, float factor, int expected) =>
        Assert.Equal(expected, IdentityRouter(k: 1, factor).Capacity(rows));

    [Fact]
    public void Without_a_capacity_factor_nothing_is_dropped()
    {
        var router = IdentityRouter(k: 2, capacityFactor: 0f);
        Assert.Equal(int.MaxValue, router.Capacity(6));
        Assert.All(router.Route(OverflowingRows()).Kept!, Assert.True);
    }

    /// <summary>
    /// Six rows over three modules, top-2, capacity ⌈⌈6/3⌉·1⌉ = 2. The (first, second) choices are
    /// r0 (0, 1), r1 (0, 2), r2 (0, 1), r3 (1, 0), r4 (2, 1), r5 (1, 2).
    /// First choices in row order: module 0 takes r0, r1 and is full for r2; module 1 takes r3, r5; module 2 takes r4.
    /// Second choices: r0 → 1 full, r1 → 2 kept (2's second slot), r2 → 1 full, r3 → 0 full, r4 → 1 full, r5 → 2 full.
    /// </summary>
    private static Tensor OverflowingRows() => LogProbabilities(new float[,]
    {
        { 0.5f, 0.3f, 0.2f },
        { 0.5f, 0.2f, 0.3f },
        { 0.6f, 0.3f, 0.1f },
        { 0.3f, 0.6f, 0.1f },
        { 0.1f, 0.3f, 0.6f },
        { 0.2f, 0.5f, 0.3f },
    });

    private static readonly bool[] ExpectedKept =
    [
        true, false,
        true, true,
        false, false,
        true, false,
        true, false,
        true, false,
    ];

    [Fact]
    public void Capacity_drops_exactly_the_overflow_first_choices_before_second_choices_in_row_order()
    {
        var decision = IdentityRouter(k: 2, capacityFactor: 1f).Route(OverflowingRows());
        Assert.Equal([0, 1, 0, 2, 0, 1, 1, 0, 2, 1, 1, 2], decision.Chosen!.ToArray());
        Assert.Equal(ExpectedKept, decision.Kept);
        // a dropped assignment keeps no weight; a kept one keeps its renormalised gate (not re-renormalised over what survived)
        NnAssert.Close(decision.Weights, Tensor.FromArray(new float[,]
        {
            { 0.5f / 0.8f, 0, 0 },
            { 0.5f / 0.8f, 0, 0.3f / 0.8f },
            { 0, 0, 0 },
            { 0, 0.6f / 0.9f, 0 },
            { 0, 0, 0.6f / 0.9f },
            { 0, 0.5f / 0.8f, 0 },
        }), 1e-6, 1e-7, "weights after capacity");
    }

    /// <summary>Three experts at an empty site, routed top-2 with capacity: the mixture of experts as a configuration of sites.</summary>
    private static (Sequential Net, ModularModel Model, Mixture Mixture) ExpertSite(float capacityFactor)
    {
        var net = new Sequential(new ZeroLayer(3));
        var model = net.WithModules(seed: 1);
        string[] experts = ["e0", "e1", "e2"];
        foreach (var name in experts) model.Attach("0", new Expert(hidden: 5), name);
        var mixture = new Mixture(Routers.TopK(k: 2, capacityFactor: capacityFactor), experts);
        model.Active = mixture;
        SetIdentity(((TopKRouter)mixture.RoutersOf(model).Single()).Gate);
        return (net, model, mixture);
    }

    [Fact]
    public void A_mixture_of_experts_gives_dropped_tokens_zero_output_and_kept_ones_their_gated_experts()
    {
        var (net, model, _) = ExpertSite(capacityFactor: 1f);
        var trace = new RoutingTrace();
        model.Trace = trace;
        var x = OverflowingRows();
        var y = net.Forward(x);

        var site = model.Sites["0"];
        Tensor Expert(int e, int row) => ((ExpertModule)site.Inventory[$"e{e}"]).Network.Forward(x.Narrow(0, row, 1).Contiguous());
        var expected = new[]
        {
            Expert(0, 0).Mul(0.5f / 0.8f),
            Expert(0, 1).Mul(0.5f / 0.8f).Add(Expert(2, 1).Mul(0.3f / 0.8f)),
            Tensor.Zeros(1, 3),
            Expert(1, 3).Mul(0.6f / 0.9f),
            Expert(2, 4).Mul(0.6f / 0.9f),
            Expert(1, 5).Mul(0.5f / 0.8f),
        };
        NnAssert.Close(y, Tensor.Cat(expected, 0), 1e-5, 1e-6, "MoE output");
        Assert.All(y.Narrow(0, 2, 1).ToArray(), v => Assert.Equal(0f, v));

        var record = trace["0"];
        Assert.Equal(6, record.Tokens);
        Assert.Equal(1, record.Dropped);                   // row 2 lost both assignments
        Assert.Equal([2.0, 2.0, 2.0], record.Load);          // kept assignments per expert
        Assert.Equal(["e0", "e1", "e2"], record.Modules);
    }

    [Fact]
    public void In_a_mixture_of_adapters_a_dropped_row_keeps_the_host_output_and_kept_rows_add_their_gated_changes()
    {
        var net = new Sequential(new Linear(3, 3, new Rng(2)));
        var model = net.WithModules(seed: 3);
        string[] adapters = ["e0", "e1", "e2"];
        foreach (var name in adapters) model.Attach("0", new BottleneckAdapter(reduction: 1), name);
        ModuleValues.Randomize(net, new Rng(4));
        var mixture = new Mixture(Routers.TopK(k: 2, capacityFactor: 1f), adapters);
        model.Active = mixture;
        SetIdentity(((TopKRouter)mixture.RoutersOf(model).Single()).Gate);
        var x = OverflowingRows();
        var y = net.Forward(x);

        var linear = (Linear)net.Layers[0];
        var h = x.Linear(linear.Weight, linear.Bias);
        Tensor Change(int e, int row)
        {
            var hr = h.Narrow(0, row, 1).Contiguous();
            return model.Sites["0"].Find(adapters[e])!.Apply(x.Narrow(0, row, 1).Contiguous(), hr).Sub(hr);
        }
        Assert.Equal(h.Narrow(0, 2, 1).ToArray(), y.Narrow(0, 2, 1).ToArray()); // dropped: exactly the host output
        NnAssert.Close(y.Narrow(0, 1, 1).Contiguous(), h.Narrow(0, 1, 1).Add(Change(0, 1).Mul(0.5f / 0.8f)).Add(Change(2, 1).Mul(0.3f / 0.8f)), 1e-5, 1e-6, "row 1: both choices kept");
        NnAssert.Close(y.Narrow(0, 0, 1).Contiguous(), h.Narrow(0, 0, 1).Add(Change(0, 0).Mul(0.5f / 0.8f)), 1e-5, 1e-6, "row 0: second choice dropped");
    }

    [Fact]
    public void Each_forward_pass_collects_its_decisions_losses_and_the_routers_keep_none()
    {
        var net = new Sequential(new Linear(3, 3, new Rng(2)), new Linear(3, 3, new Rng(3)));
        var model = net.WithModules(seed: 3);
        foreach (var name in new[] { "e0", "e1" }) model.Attach("0|1", new BottleneckAdapter(reduction: 1), name);
        var mixture = new Mixture(Routers.TopK(k: 1, balanceWeight: 0.5f, zLossWeight: 0.25f), ["e0", "e1"]);
        model.Active = mixture;
        var x = Tensor.Randn(new Rng(4), 6, 3);
        net.Forward(x); // outside any pass: its losses go nowhere and cannot leak into the next one

        using (var pass = ForwardContext.Begin())
        {
            net.Forward(x);
            var terms = pass.TakeLossTerms(Tensor.Zeros(1));
            Assert.Equal(2, terms.Count); // one decision per site
            var first = ((TopKRouter)mixture.RoutersOf(model)[0]).Route(x); // the first site routes the model's input
            Assert.Equal(first.BalanceLoss!.Item() * 0.5f + first.ZLoss!.Item() * 0.25f, terms[0].Item(), 1e-5);
            Assert.Empty(pass.TakeLossTerms(Tensor.Zeros(1)));
        }
        net.Eval();
        using (var evaluation = ForwardContext.Begin())
        {
            net.Forward(x);
            Assert.Empty(evaluation.TakeLossTerms(Tensor.Zeros(1)));
        }
    }

    [Fact]
    public void Noisy_gating_perturbs_logits_while_training_only()
    {
        var router = new TopKRouter(3, 3, 1, new Rng(2), noisy: true);
        var x = Tensor.Randn(new Rng(3), 64, 3);
        router.Eval();
        var clean = router.Route(x).Probabilities.ToArray();
        Assert.Equal(clean, router.Route(x).Probabilities.ToArray());
        router.Train();
        using (ForwardContext.Begin(random: new Rng(4)))
        {
            var noisy = router.Route(x).Probabilities.ToArray();
            Assert.True(noisy.Zip(clean).Max(p => Math.Abs(p.First - p.Second)) > 0.01, "training-time noise changed nothing");
        }
    }
}
