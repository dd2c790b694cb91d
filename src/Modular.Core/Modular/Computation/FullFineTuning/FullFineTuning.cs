using Modular.NN;
using Modular.Tensors;

namespace Modular.Computation;

/// <summary>The baseline every parameter-efficient method is compared with: all base parameters train; no module is added.</summary>
public sealed class FullFineTuning : IModuleSpec
{
    /// <inheritdoc/>
    public string Method => "Full fine-tuning";

    /// <inheritdoc/>
    public string DefaultTargets => "";

    /// <inheritdoc/>
    public string? RejectHost(Module host) => "full fine-tuning attaches nothing; it trains the base model's own parameters";

    /// <inheritdoc/>
    public IReadOnlyList<ComputationModule> CreateModules(IReadOnlyList<(string Path, Module Host)> hosts, Rng rng) => [];

    /// <inheritdoc/>
    public IEnumerable<Parameter> BaseParameters(Module baseModel)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        return baseModel.Parameters();
    }
}
