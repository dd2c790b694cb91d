using Modular.NN;
using Modular.Tensors;

namespace Modular.Computation;

/// <summary>
/// A dense additive change to linear weights, W + Δ, initially zero: the form that task arithmetic and TIES merges
/// produce from other parameter-composition modules. Trainable like any module.
/// </summary>
public sealed class WeightDeltaSpec : ModuleSpec
{
    /// <inheritdoc/>
    public override string Method => "Weight delta";

    /// <inheritdoc/>
    public override string DefaultTargets => "layers.*.attention.query|key|value|output, layers.*.feedForward.up|down";

    /// <inheritdoc/>
    public override string? RejectHost(Module host) => host is Linear ? null : $"a weight delta changes a Linear layer; this is a {host?.GetType().Name}";

    /// <inheritdoc/>
    public override ComputationModule Create(Module host, string hostPath, Rng rng)
    {
        var linear = (Linear)host;
        return new WeightDeltaModule(linear.OutFeatures, linear.InFeatures);
    }
}

/// <summary>Δ [out, in]: y + x·Δᵀ.</summary>
public sealed class WeightDeltaModule : ComputationModule
{
    /// <summary>Creates Δ = 0.</summary>
    public WeightDeltaModule(int outFeatures, int inFeatures)
    {
        using var zeros = Tensor.Zeros(outFeatures, inFeatures);
        Delta = AddParameter("delta", zeros);
    }

    /// <summary>Δ.</summary>
    public Parameter Delta { get; }

    /// <inheritdoc/>
    public override CompositionKind Composition => CompositionKind.Parameter;

    /// <inheritdoc/>
    public override Tensor Apply(Tensor input, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        return output.Add(input.Linear(Delta));
    }

    /// <inheritdoc/>
    public override Tensor? WeightDelta() => Delta.Detach();

    /// <inheritdoc/>
    public override bool CanMerge => true;

}
