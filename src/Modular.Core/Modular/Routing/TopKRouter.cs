using Modular.NN;
using Modular.Tensors;

namespace Modular.Routing;

/// <summary>
/// Learned soft routing as in mixture-of-experts layers: p = softmax(W_g·x) over the modules and the top k kept. With
/// k = 1 (Switch) the chosen module's gate is its router probability pᵢ itself: that product pᵢ·Eᵢ(x) is the router's
/// only gradient from the task loss, so it is never renormalised (it would be exactly 1). With k ≥ 2 (GShard, Mixtral)
/// the k gates are renormalised to sum to 1 by default; <c>normalizeTopK: false</c> keeps the raw probabilities (as
/// Mixtral's <c>norm_topk_prob</c>). Optional noisy gating (Shazeer et al.,
/// 2017) adds learned Gaussian noise to the logits while training. With a capacity factor c &gt; 0 each module takes
/// at most ⌈⌈rows/modules⌉·c⌉ assignments — first choices of all rows before second choices, in row order — and
/// the overflow is dropped (the row keeps the residual). Each decision in training carries the Switch load-balancing loss
/// α·N·Σᵢ fᵢPᵢ and the router z-loss β·mean(logsumexp(logits)²) as its auxiliary loss, where Pᵢ is the mean router
/// probability of module i and fᵢ the share of the rows·k top-k assignments that chose it, counted before capacity
/// (for k = 1 Switch's fraction of tokens; for k &gt; 1 f still sums to 1, so a balanced router scores 1). fᵢ is a
/// count, so the loss's gradient flows through Pᵢ only. The losses travel with each decision
/// (<see cref="RoutingDecision.AuxiliaryLoss"/>); the router keeps nothing between calls.
/// </summary>
public sealed class TopKRouter : Router
{
    private readonly Rng rng;

    /// <summary>Creates a router over <paramref name="modules"/> modules for <paramref name="dimension"/>-wide inputs.</summary>
    public TopKRouter(int dimension, int modules, int topK, Rng rng, float capacityFactor = 0f, bool noisy = false, float balanceWeight = 0.01f, float zLossWeight = 0.001f, bool normalizeTopK = true)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (modules < 1) throw new ConfigurationException($"TopKRouter: needs at least one module, got {modules}.");
        if (topK < 1 || topK > modules) throw new ConfigurationException($"TopKRouter: k = {topK} must lie in [1, {modules}] (the number of modules).");
        if (balanceWeight < 0f || zLossWeight < 0f) throw new ConfigurationException("TopKRouter: loss weights must be ≥ 0.");
        this.rng = rng.Fork();
        ModuleCount = modules;
        TopK = topK;
        CapacityFactor = capacityFactor;
        BalanceWeight = balanceWeight;
        ZLossWeight = zLossWeight;
        NormalizeTopK = normalizeTopK;
        Gate = Add("gate", new Linear(dimension, modules, rng, bias: false));
        if (noisy) Noise = Add("noise", new Linear(dimension, modules, rng, bias: false));
    }

    /// <inheritdoc/>
    public override int ModuleCount { get; }

    /// <summary>k.</summary>
    public int TopK { get; }

    /// <summary>Whether the k ≥ 2 chosen gates are renormalised to sum to 1 (never for k = 1, whose gate is pᵢ).</summary>
    public bool NormalizeTopK { get; }

    /// <summary>Whether the gates are the chosen probabilities divided by their sum: only for k ≥ 2 with <see cref="NormalizeTopK"/>.</summary>
    public bool Renormalizes => TopK > 1 && NormalizeTopK;

    /// <summary>c; ≤ 0 means unlimited capacity (no dropping).</summary>
    public float CapacityFactor { get; }

    /// <summary>α of the load-balancing loss.</summary>
    public float BalanceWeight { get; }

    /// <summary>β of the router z-loss.</summary>
    public float ZLossWeight { get; }

    /// <summary>The gate W_g.</summary>
    public Linear Gate { get; }

    /// <summary>The noise scale network of noisy gating, or null.</summary>
    public Linear? Noise { get; }

    /// <inheritdoc/>
    public override string Description => $"top-{TopK} of {ModuleCount}{(TopK > 1 && !NormalizeTopK ? ", raw gates" : "")}{(CapacityFactor > 0 ? $", capacity ×{CapacityFactor:G3}" : "")}{(Noise is null ? "" : ", noisy")}";

    /// <summary>
    /// Assignments each module can take for <paramref name="rows"/> rows (int.MaxValue without a capacity factor). The factor
    /// counts as written: 1.1f is 1.10000002 in binary, and ⌈10·1.10000002⌉ would give 12 slots instead of 11.
    /// </summary>
    public int Capacity(int rows) => CapacityFactor <= 0f ? int.MaxValue : (int)Math.Ceiling(Math.Ceiling((decimal)rows / ModuleCount) * (decimal)CapacityFactor);

    /// <inheritdoc/>
    public override RoutingDecision Route(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var logits = Gate.Forward(features);
        if (Noise is not null && Training)
        {
            var standard = Tensor.Randn(ForwardContext.RandomOr(rng), logits.Shape.ToArray()).To(logits.Device);
            logits = logits.Add(standard.Mul(Noise.Forward(features).Softplus()));
        }
        var probabilities = logits.Softmax(-1);
        var (top, chosen) = probabilities.TopK(TopK, -1);
        var gates = Renormalizes ? top.Div(top.Sum(-1, keepDim: true)) : top;
        int rows = features.Size(0);
        // Capacity is a sequential decision over the chosen experts: the one read of a device per top-k site
        // (chosen's host values are read once and shared by the capacity loop, the balance loss and the dispatch).
        var kept = AssignWithinCapacity(chosen, rows);
        var keptMask = Tensor.FromArray(kept.Select(k => k ? 1f : 0f).ToArray(), [rows, TopK], features.Device);
        var keptGates = gates.Mul(keptMask);
        var dense = Tensor.Zeros([rows, ModuleCount], features.Device).ScatterAdd(1, chosen, keptGates);
        var (balance, z) = Losses(logits, probabilities, chosen, rows);
        bool trains = Training && Tensors.Autograd.GradMode.IsEnabled && (BalanceWeight != 0f || ZLossWeight != 0f);
        return new RoutingDecision(dense, probabilities, chosen, keptGates, kept)
        {
            BalanceLoss = balance,
            ZLoss = z,
            AuxiliaryLoss = trains ? _ => balance.Mul(BalanceWeight).Add(z.Mul(ZLossWeight)) : null,
        };
    }

    private bool[] AssignWithinCapacity(IntTensor chosen, int rows)
    {
        var kept = new bool[rows * TopK];
        int capacity = Capacity(rows);
        var load = new int[ModuleCount];
        var index = chosen.Span;
        for (int choice = 0; choice < TopK; choice++)
            for (int row = 0; row < rows; row++)
            {
                int a = row * TopK + choice;
                if (load[index[a]] < capacity)
                {
                    load[index[a]]++;
                    kept[a] = true;
                }
            }
        return kept;
    }

    private (Tensor Balance, Tensor Z) Losses(Tensor logits, Tensor probabilities, IntTensor chosen, int rows)
    {
        // fᵢ: share of the rows·k assignments that chose module i (before capacity), a constant; Pᵢ: mean probability.
        var fraction = new float[ModuleCount];
        foreach (var e in chosen.Span) fraction[e] += 1f / (rows * TopK);
        var f = Tensor.FromArray(fraction, [ModuleCount], probabilities.Device);
        var balance = probabilities.Mean(0).Mul(f).Sum().Mul(ModuleCount);
        var z = logits.LogSumExp(-1).Square().Mean();
        return (balance, z);
    }
}
