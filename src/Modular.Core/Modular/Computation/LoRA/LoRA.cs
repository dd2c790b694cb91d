using Modular.NN;
using Modular.Tensors;

namespace Modular.Computation;

/// <summary>
/// Low-rank adaptation (Hu et al., 2021), parameter composition: a linear layer's weight becomes W + (α/r)·B·A
/// with A ∈ ℝ^{r×in} (Kaiming-uniform, a = √5) and B ∈ ℝ^{out×r} (zeros), computed as y = W·x + (α/r)·B·A·x.
/// Default targets: the query and value projections.
/// </summary>
public sealed class LoRA : ModuleSpec
{
    /// <summary>Creates the recipe; <paramref name="alpha"/> defaults to the rank (scale 1).</summary>
    public LoRA(int rank = 8, float? alpha = null, float dropout = 0f)
    {
        if (rank < 1) throw new ConfigurationException($"LoRA: rank must be ≥ 1, got {rank}.");
        if (!(dropout >= 0f && dropout < 1f)) throw new ConfigurationException($"LoRA: dropout {dropout} must lie in [0, 1).");
        if (alpha is { } a && !float.IsFinite(a)) throw new ConfigurationException($"LoRA: alpha {a} must be a finite number (the update is scaled by alpha / rank).");
        Rank = rank;
        Alpha = alpha ?? rank;
        Dropout = dropout;
    }

    /// <summary>r.</summary>
    public int Rank { get; }

    /// <summary>α; the update is scaled by α/r.</summary>
    public float Alpha { get; }

    /// <summary>Dropout on the LoRA branch's input.</summary>
    public float Dropout { get; }

    /// <summary>α / r.</summary>
    public float Scale => Alpha / Rank;

    /// <inheritdoc/>
    public override string Method => "LoRA";

    /// <inheritdoc/>
    public override string DefaultTargets => "**.attention.query|value";

    /// <inheritdoc/>
    public override string? RejectHost(Module host) => host is Linear ? null : $"LoRA attaches to Linear layers; this is a {host?.GetType().Name}";

    /// <inheritdoc/>
    public override ComputationModule Create(Module host, string hostPath, Rng rng)
    {
        var linear = (Linear)host;
        return new LoRAModule(linear.InFeatures, linear.OutFeatures, Rank, Scale, Dropout, rng);
    }

    /// <inheritdoc/>
    public override string ToString() => $"LoRA(r = {Rank}, α = {Alpha})";
}
