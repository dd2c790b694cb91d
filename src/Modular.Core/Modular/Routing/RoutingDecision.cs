using Modular.NN;
using Modular.Tensors;

namespace Modular.Routing;

/// <summary>
/// Which modules a router activates for each row (token or example) and with what weight. Dense routers fill
/// <see cref="Weights"/> [rows, modules]; top-k routers also give the chosen indices and their gate weights,
/// and which assignments fit within expert capacity.
/// </summary>
public sealed class RoutingDecision
{
    /// <summary>Creates a dense decision.</summary>
    public RoutingDecision(Tensor weights, Tensor? probabilities = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Rank != 2) throw new ShapeMismatchException($"RoutingDecision: weights {weights.Describe()} must be [rows, modules].");
        Weights = weights;
        Probabilities = probabilities ?? weights;
    }

    /// <summary>Creates a top-k decision.</summary>
    public RoutingDecision(Tensor weights, Tensor probabilities, IntTensor chosen, Tensor chosenWeights, bool[] kept)
        : this(weights, probabilities)
    {
        Chosen = chosen;
        ChosenWeights = chosenWeights;
        Kept = kept;
    }

    /// <summary>[rows, modules]: the weight of each module for each row (zero where inactive). Differentiable.</summary>
    public Tensor Weights { get; }

    /// <summary>[rows, modules]: the router's full distribution before selection (for statistics and losses).</summary>
    public Tensor Probabilities { get; }

    /// <summary>[rows, k] chosen module indices (top-k routers), or null.</summary>
    public IntTensor? Chosen { get; }

    /// <summary>[rows, k] gate weights of the chosen modules (zero where dropped for capacity). Differentiable.</summary>
    public Tensor? ChosenWeights { get; }

    /// <summary>Per assignment (row-major over [rows, k]): whether it fit within its module's capacity.</summary>
    public bool[]? Kept { get; }

    /// <summary>
    /// What this decision adds to the training loss, given the batch's task loss (REINFORCE takes it as the reward):
    /// the weighted load-balancing and z-losses, a policy gradient; null when it adds nothing (evaluation, zero weights).
    /// A mixture hands it to the forward pass (<see cref="ForwardContext.AddLossTerm"/>), where the trainer takes it.
    /// </summary>
    public Func<Tensor, Tensor>? AuxiliaryLoss { get; init; }

    /// <summary>The unweighted Switch load-balancing loss N·Σᵢ fᵢPᵢ of a top-k decision, for monitoring; null for other routers.</summary>
    public Tensor? BalanceLoss { get; init; }

    /// <summary>The unweighted router z-loss mean(logsumexp(logits)²) of a top-k decision; null for other routers.</summary>
    public Tensor? ZLoss { get; init; }

    /// <summary>Number of rows.</summary>
    public int Rows => Weights.Size(0);

    /// <summary>Number of modules routed among.</summary>
    public int ModuleCount => Weights.Size(1);
}
