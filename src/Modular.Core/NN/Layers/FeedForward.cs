using Modular.Tensors;

namespace Modular.NN;

/// <summary>The Transformer's position-wise feed-forward block: down(activation(up(x))).</summary>
public sealed class FeedForward : Layer, IHostLayer, IHiddenActivationBlock
{
    private readonly Dropout? dropout;

    /// <summary>Creates a block expanding <paramref name="dimension"/> to <paramref name="hidden"/> and back.</summary>
    public FeedForward(int dimension, int hidden, Rng rng, ActivationKind activation = ActivationKind.Gelu, float dropoutP = 0f)
    {
        Up = Add("up", new Linear(dimension, hidden, rng));
        Activation = Add("activation", new Activation(activation, hidden));
        Down = Add("down", new Linear(hidden, dimension, rng));
        if (dropoutP > 0) dropout = Add("dropout", new Dropout(dropoutP, rng.Fork()));
    }

    /// <summary>dimension → hidden.</summary>
    public Linear Up { get; }

    /// <summary>The hidden non-linearity (a layer, so (IA)³ can rescale its output).</summary>
    public Activation Activation { get; }

    /// <summary>hidden → dimension.</summary>
    public Linear Down { get; }

    /// <inheritdoc/>
    public override string Description => $"{Up.InFeatures} → {Up.OutFeatures} → {Down.OutFeatures}, {Activation.Kind}";

    /// <inheritdoc/>
    protected override Tensor Compute(Tensor input)
    {
        var h = Down.Forward(Activation.Forward(Up.Forward(input)));
        return dropout is null ? h : dropout.Forward(h);
    }

    /// <inheritdoc/>
    int? IHostLayer.InputWidth => Up.InFeatures;

    /// <inheritdoc/>
    int? IHostLayer.OutputWidth => Down.OutFeatures;

    /// <inheritdoc/>
    Activation IHiddenActivationBlock.HiddenActivation => Activation;

    /// <inheritdoc/>
    Linear IHiddenActivationBlock.HiddenReader => Down;
}
