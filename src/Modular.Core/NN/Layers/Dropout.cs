using Modular.Tensors;

namespace Modular.NN;

/// <summary>Inverted dropout while training; the identity in evaluation mode.</summary>
public sealed class Dropout : Layer
{
    private readonly Rng rng;

    /// <summary>Zeroes inputs with probability <paramref name="p"/> during training, drawing masks from <paramref name="rng"/>.</summary>
    public Dropout(float p, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (p is < 0f or >= 1f) throw new ConfigurationException($"Dropout probability {p} must lie in [0, 1).");
        P = p;
        this.rng = rng;
    }

    /// <summary>Drop probability.</summary>
    public float P { get; }

    /// <inheritdoc/>
    public override string Description => $"p = {P}";

    /// <inheritdoc/>
    protected override Tensor Compute(Tensor input) => input.Dropout(P, Training, ForwardContext.RandomOr(rng));
}
