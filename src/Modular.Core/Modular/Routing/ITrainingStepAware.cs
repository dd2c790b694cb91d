namespace Modular.Routing;

/// <summary>A module whose behaviour follows the training step, e.g. a Gumbel router annealing its temperature.</summary>
public interface ITrainingStepAware
{
    /// <summary>Called by the trainer before each training step with the 0-based step number.</summary>
    void OnTrainingStep(int step);
}
