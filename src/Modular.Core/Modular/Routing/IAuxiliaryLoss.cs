using Modular.Tensors;

namespace Modular.Routing;

/// <summary>A module that adds terms to the training loss (load balancing, router z-loss, policy gradients).</summary>
public interface IAuxiliaryLoss
{
    /// <summary>
    /// The terms accumulated since the last call, given the task loss of the batch (REINFORCE needs it as the reward);
    /// null when there are none. Calling it clears them.
    /// </summary>
    Tensor? TakeAuxiliaryLoss(Tensor taskLoss);
}
