using Modular.NN;
using Modular.Tensors;

namespace Modular.Computation;

/// <summary>
/// The bottleneck network shared by adapter variants: Up(act(Down(LN?(h)))) with Up initialised to zero, so a new
/// adapter starts as the identity's residual (adds nothing).
/// </summary>
public sealed class Bottleneck : Module
{
    /// <summary>Creates a d → d/reduction → d bottleneck.</summary>
    public Bottleneck(int dimension, int size, ActivationKind activation, bool layerNorm, Rng rng)
    {
        if (size < 1) throw new ConfigurationException($"Adapter bottleneck of size {size} for dimension {dimension}: choose a reduction factor ≤ {dimension}.");
        if (layerNorm) Norm = Add("norm", new LayerNorm(dimension));
        Down = Add("down", new Linear(dimension, size, rng));
        Activation = activation;
        Up = Add("up", new Linear(size, dimension, rng));
        using var zerosW = Tensor.Zeros(dimension, size);
        using var zerosB = Tensor.Zeros(dimension);
        Up.Weight.Assign(zerosW);
        Up.Bias!.Assign(zerosB);
    }

    /// <summary>Optional pre-adapter layer norm.</summary>
    public LayerNorm? Norm { get; }

    /// <summary>d → bottleneck.</summary>
    public Linear Down { get; }

    /// <summary>The bottleneck non-linearity.</summary>
    public ActivationKind Activation { get; }

    /// <summary>bottleneck → d, zero-initialised.</summary>
    public Linear Up { get; }

    /// <inheritdoc/>
    public override string Description => $"{Down.InFeatures} → {Down.OutFeatures} → {Up.OutFeatures}, {Activation}";

    /// <summary>Up(act(Down(LN?(h)))).</summary>
    public Tensor Forward(Tensor h)
    {
        var x = Norm is null ? h : Norm.Forward(h);
        return Up.Forward(NN.Activation.Apply(Activation, Down.Forward(x)));
    }

    /// <summary>The width of a host's output that an adapter follows (<see cref="IHostLayer"/>), or null when the host does not tell it.</summary>
    internal static int? OutputWidth(Module host) => (host as IHostLayer)?.OutputWidth;
}
