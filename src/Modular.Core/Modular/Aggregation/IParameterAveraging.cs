using Modular.Tensors;

namespace Modular.Aggregation;

/// <summary>
/// Modules whose parameters can be averaged before use (parameter aggregation): with weights w [rows, n] over n
/// modules of the same shape, row i runs the module with parameters Σⱼ wᵢⱼ·Φⱼ.
/// </summary>
public interface IParameterAveraging
{
    /// <summary>The host output for each row after the module with that row's averaged parameters.</summary>
    Tensor ApplyAveraged(IReadOnlyList<ComputationModule> modules, Tensor weights, Tensor input, Tensor output);
}
