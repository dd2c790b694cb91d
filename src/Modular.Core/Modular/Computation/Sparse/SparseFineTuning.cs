using Modular.NN;
using Modular.Tensors;

namespace Modular.Computation;

/// <summary>
/// Sparse fine-tuning, parameter composition (diff pruning, Guo et al., 2021; lottery-ticket sparse fine-tuning,
/// Ansell et al., 2022): each target layer's weight becomes W + M ⊙ Δ with a fixed 0/1 mask M keeping a fraction
/// <see cref="Density"/> of the entries and a trained Δ (initially zero). Only the masked entries of Δ receive
/// gradient.
/// </summary>
public sealed class SparseFineTuning : ModuleSpec
{
    /// <summary>Creates the recipe; the mask defaults to the base weights of largest magnitude.</summary>
    public SparseFineTuning(float density = 0.01f, SparseMask? mask = null)
    {
        if (density is <= 0f or > 1f) throw new ConfigurationException($"SparseFineTuning: density {density} must lie in (0, 1].");
        Density = density;
        Mask = mask ?? SparseMask.Magnitude;
    }

    /// <summary>Fraction of each weight matrix that may change.</summary>
    public float Density { get; }

    /// <summary>How the mask is chosen.</summary>
    public SparseMask Mask { get; }

    /// <inheritdoc/>
    public override string Method => "Sparse fine-tuning";

    /// <inheritdoc/>
    public override string DefaultTargets => "layers.*.attention.query|key|value|output, layers.*.feedForward.up|down";

    /// <inheritdoc/>
    public override string? RejectHost(Module host) => host is Linear ? null : $"sparse fine-tuning changes Linear weights; this is a {host?.GetType().Name}";

    /// <inheritdoc/>
    public override ComputationModule Create(Module host, string hostPath, Rng rng)
    {
        var linear = (Linear)host;
        using var mask = Mask.Choose(hostPath, linear.Weight, Density, rng);
        return new SparseDeltaModule(mask);
    }
}

/// <summary>A masked weight delta: y + x·(M ⊙ Δ)ᵀ.</summary>
public sealed class SparseDeltaModule : ComputationModule
{
    /// <summary>Creates Δ = 0 under the given 0/1 mask.</summary>
    public SparseDeltaModule(Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        Mask = AddBuffer("mask", mask);
        using var zeros = Tensor.ZerosLike(mask);
        Delta = AddParameter("delta", zeros);
    }

    /// <summary>M: 1 where the weight may change (a buffer: saved with the module, never trained).</summary>
    public Tensor Mask { get; }

    /// <summary>Δ (dense storage; only masked entries matter).</summary>
    public Parameter Delta { get; }

    /// <summary>Entries the mask keeps (counted from the mask itself, which loading a saved module replaces).</summary>
    public int Nonzero => (int)System.Numerics.Tensors.TensorPrimitives.Sum<float>(Mask.ToArray());

    /// <inheritdoc/>
    public override long EffectiveParameterCount => Nonzero;

    /// <inheritdoc/>
    public override CompositionKind Composition => CompositionKind.Parameter;

    /// <inheritdoc/>
    public override string Description => $"{Nonzero:N0} of {Mask.Count:N0} entries ({100.0 * Nonzero / Mask.Count:0.##}%)";

    /// <inheritdoc/>
    public override Tensor Apply(Tensor input, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        return output.Add(input.Linear(Delta.Mul(Mask)));
    }

    /// <inheritdoc/>
    public override Tensor? WeightDelta() => Delta.Mul(Mask);

    /// <inheritdoc/>
    public override bool CanMerge => true;

}
