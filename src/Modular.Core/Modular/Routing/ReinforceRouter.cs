using Modular.NN;
using Modular.Tensors;

namespace Modular.Routing;

/// <summary>
/// Learned hard routing with REINFORCE (Williams, 1992; as in routing networks, Rosenbaum et al., 2018): while
/// training each row samples one module from π = softmax(W·x); after the batch, the reward −loss minus a moving-average
/// baseline weights the log-probabilities of the choices: L_π = −(r − b)·mean log π(a), carried by each decision as its
/// auxiliary loss. At evaluation the most probable module is used.
/// </summary>
public sealed class ReinforceRouter : Router
{
    private readonly Rng rng;
    private readonly Tensor baseline;

    /// <summary>Creates a policy over <paramref name="modules"/> modules; the baseline is an exponential moving average with <paramref name="baselineDecay"/>.</summary>
    public ReinforceRouter(int dimension, int modules, Rng rng, float baselineDecay = 0.9f)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (modules < 1) throw new ConfigurationException($"ReinforceRouter: needs at least one module, got {modules}.");
        if (baselineDecay is < 0f or >= 1f) throw new ConfigurationException($"ReinforceRouter: baseline decay {baselineDecay} must lie in [0, 1).");
        this.rng = rng.Fork();
        ModuleCount = modules;
        BaselineDecay = baselineDecay;
        Policy = Add("policy", new Linear(dimension, modules, rng));
        // a buffer, so that checkpoints carry it and a resumed run continues with the same baseline; NaN = no reward seen yet
        using var unset = Tensor.Full(float.NaN, 1);
        baseline = AddBuffer("baseline", unset);
    }

    /// <inheritdoc/>
    public override int ModuleCount { get; }

    /// <summary>The policy network.</summary>
    public Linear Policy { get; }

    /// <summary>Decay of the reward baseline.</summary>
    public float BaselineDecay { get; }

    /// <summary>The current baseline b (moving average of rewards); null before the first update.</summary>
    public float? Baseline => float.IsNaN(baseline[0]) ? null : baseline[0];

    /// <inheritdoc/>
    public override RoutingDecision Route(Tensor features)
    {
        var logits = Policy.Forward(features);
        var probabilities = logits.Softmax(-1);
        if (!Training) return new RoutingDecision(GumbelRouter.OneHotOfArgmax(probabilities), probabilities);
        int rows = logits.Size(0);
        var actions = new int[rows];
        // sampled on the host from the probabilities (one read from a device per routing site)
        var p = probabilities.Detach().ToArray();
        for (int r = 0; r < rows; r++) actions[r] = Sample(p.AsSpan(r * ModuleCount, ModuleCount));
        var chosen = IntTensor.FromArray(actions, rows, 1);
        var logPi = logits.LogSoftmax(-1).Gather(1, chosen).Mean();
        return new RoutingDecision(Tensor.OneHot(chosen.Reshape(rows), ModuleCount, probabilities.Device), probabilities) { AuxiliaryLoss = taskLoss => PolicyLoss(logPi, taskLoss) };
    }

    private int Sample(ReadOnlySpan<float> p)
    {
        float u = ForwardContext.RandomOr(rng).NextFloat(), cumulative = 0f;
        for (int i = 0; i < p.Length; i++)
        {
            cumulative += p[i];
            if (u < cumulative) return i;
        }
        return p.Length - 1;
    }

    /// <summary>
    /// L_π = −(r − b)·mean log π(a) for the batch's reward r = −loss, then the baseline moves towards r. Evaluated once
    /// per training step, when the trainer takes the pass's loss terms.
    /// </summary>
    private Tensor PolicyLoss(Tensor logPi, Tensor taskLoss)
    {
        ArgumentNullException.ThrowIfNull(taskLoss);
        float reward = -taskLoss.Item();
        float previous = Baseline ?? reward;
        baseline[0] = BaselineDecay * previous + (1f - BaselineDecay) * reward;
        return logPi.Mul(-(reward - previous));
    }
}
