using Modular.Aggregation;
using Modular.Computation;
using Modular.NN;
using Modular.Optim;
using Modular.Routing;
using Modular.Tensors;
using Modular.Tests.Support;
using Modular.Training;

namespace Modular.Tests.Routing;

/// <summary>
/// The straight-through Gumbel-softmax: the forward pass is exactly one-hot, and the gradient is that of
/// y_soft = softmax((logits + g)/τ) with the same Gumbel noise g, reproduced here from the same seeded source.
/// </summary>
public sealed class GumbelRouterTests
{
    private const int Rows = 40, Modules = 8, Dimension = 3;
    private const float Temperature = 4f; // flat soft weights (maxima well below ½): the one-hot must survive 1 − s + s in float32

    private static Tensor Features() => Tensor.Randn(new Rng(10), Rows, Dimension);

    private static Tensor Probe() => Tensor.Randn(new Rng(11), Rows, Modules);

    [Fact]
    public void The_forward_pass_is_exactly_one_hot_at_the_argmax_of_the_noisy_soft_weights()
    {
        var router = new GumbelRouter(Dimension, Modules, new Rng(1), Temperature);
        RoutingDecision decision;
        using (ForwardContext.Begin(random: new Rng(42))) decision = router.Route(Features());

        var weights = decision.Weights.ToArray();
        var soft = SoftReference(router, out _).Detach().ToArray();
        Assert.Equal(soft, decision.Probabilities.ToArray());
        for (int r = 0; r < Rows; r++)
        {
            var row = weights.AsSpan(r * Modules, Modules).ToArray();
            int best = Array.IndexOf(soft, soft.AsSpan(r * Modules, Modules).ToArray().Max(), r * Modules) - r * Modules;
            var oneHot = Enumerable.Range(0, Modules).Select(m => m == best ? 1f : 0f).ToArray();
            Assert.Equal(oneHot, row); // bit-exact: 1 and 0, not 1 ± rounding
        }
    }

    [Fact]
    public void The_gradient_is_that_of_the_soft_gumbel_softmax_with_the_same_noise()
    {
        var router = new GumbelRouter(Dimension, Modules, new Rng(1), Temperature);
        using (ForwardContext.Begin(random: new Rng(42))) router.Route(Features()).Weights.Mul(Probe()).Sum().Backward();
        var straightThrough = router.Gate.Weight.Grad!.Detach();
        var straightThroughBias = router.Gate.Bias!.Grad!.Detach();
        router.ZeroGrad();

        SoftReference(router, out _).Mul(Probe()).Sum().Backward();
        NnAssert.Close(straightThrough, router.Gate.Weight.Grad!, 1e-6, 1e-7, "∂/∂W");
        NnAssert.Close(straightThroughBias, router.Gate.Bias!.Grad!, 1e-6, 1e-7, "∂/∂b");
        Assert.True(straightThrough.ToArray().Max(Math.Abs) > 1e-3, "the gradient vanished; the comparison proves nothing");
    }

    /// <summary>softmax((logits + g)/τ), with g drawn as the router draws it: standard Gumbel from the forward pass's source.</summary>
    private static Tensor SoftReference(GumbelRouter router, out Tensor noise)
    {
        noise = Tensor.Gumbel(new Rng(42), Rows, Modules);
        return router.Gate.Forward(Features()).Add(noise).Mul(1f / Temperature).Softmax(-1);
    }

    [Fact]
    public void Evaluation_takes_the_argmax_of_the_logits_without_noise()
    {
        var router = new GumbelRouter(Dimension, Modules, new Rng(1), Temperature);
        router.Eval();
        var decision = router.Route(Features());
        var logits = router.Gate.Forward(Features()).ToArray();
        for (int r = 0; r < Rows; r++)
        {
            var row = logits.AsSpan(r * Modules, Modules).ToArray();
            Assert.Equal(1f, decision.Weights[r, Array.IndexOf(row, row.Max())]);
            Assert.Equal(1f, decision.Weights.Narrow(0, r, 1).Sum().Item());
        }
    }

    [Fact]
    public void The_temperature_follows_its_schedule_through_the_training_step()
    {
        var schedule = GumbelRouter.Anneal(initial: 2f, minimum: 0.5f, rate: 0.1f);
        var router = new GumbelRouter(Dimension, Modules, new Rng(1), temperature: 2f, schedule);
        ITrainingStepAware aware = router;
        aware.OnTrainingStep(0);
        Assert.Equal(2f, router.Temperature);
        aware.OnTrainingStep(5);
        Assert.Equal(2f * MathF.Exp(-0.5f), router.Temperature);
        aware.OnTrainingStep(100);
        Assert.Equal(0.5f, router.Temperature); // floored at the minimum
    }

    [Fact]
    public void The_trainer_gives_step_aware_routers_every_step_number()
    {
        var steps = new List<int>();
        var anneal = GumbelRouter.Anneal(initial: 2f, minimum: 0.5f, rate: 0.1f);
        var classifier = TransformerClassifier.Create(vocab: 8, dModel: 8, layers: 1, heads: 2, ff: 16, classes: 2, maxLength: 4, seed: 1);
        var model = classifier.WithModules();
        model.Attach(new BottleneckAdapter(reduction: 2), "a").Attach(new BottleneckAdapter(reduction: 2), "b");
        var mixture = new Mixture(Routers.Gumbel(temperature: 2f, schedule: step =>
        {
            steps.Add(step);
            return anneal(step);
        }), ["a", "b"], granularity: RoutingGranularity.Example);
        model.Active = mixture;
        var sequences = Enumerable.Range(0, 12).Select(i => new[] { i % 8, (i + 1) % 8, 2, 3 }).ToList();
        new Trainer(model, new Adam()).Fit(new SequenceDataset(sequences, sequences.Select(s => s[0] % 2).ToList(), batchSize: 4));

        Assert.Equal([0, 1, 2], steps);
        Assert.Equal(anneal(2), ((GumbelRouter)mixture.RoutersOf(model).Single()).Temperature);
    }
}
