using Modular.Tensors;

namespace Modular.NN;

/// <summary>Element-wise non-linearities available as layers.</summary>
public enum ActivationKind
{
    /// <summary>max(x, 0).</summary>
    Relu,
    /// <summary>x·Φ(x), exact (PyTorch's default GELU).</summary>
    Gelu,
    /// <summary>tanh(x).</summary>
    Tanh,
    /// <summary>1/(1 + e⁻ˣ).</summary>
    Sigmoid,
    /// <summary>x (no non-linearity).</summary>
    Identity,
}

/// <summary>An element-wise non-linearity as a layer, so that hooks can act on its output (e.g. (IA)³ on the feed-forward hidden state).</summary>
/// <param name="kind">Which function.</param>
/// <param name="width">The size of the last dimension it acts on, when known (lets modules that attach here size themselves).</param>
public sealed class Activation(ActivationKind kind, int? width = null) : Layer, IHostLayer
{
    /// <summary>Which function.</summary>
    public ActivationKind Kind { get; } = kind;

    /// <summary>The size of the last dimension of its input, when known.</summary>
    public int? Width { get; } = width;

    /// <inheritdoc/>
    public override string Description => Width is { } w ? $"{Kind}, {w}" : Kind.ToString();

    /// <summary>Applies the function without a layer.</summary>
    public static Tensor Apply(ActivationKind kind, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return kind switch
        {
            ActivationKind.Relu => x.Relu(),
            ActivationKind.Gelu => x.Gelu(),
            ActivationKind.Tanh => x.Tanh(),
            ActivationKind.Sigmoid => x.Sigmoid(),
            ActivationKind.Identity => x,
            _ => throw new ConfigurationException($"Unknown activation {kind}."),
        };
    }

    /// <inheritdoc/>
    protected override Tensor Compute(Tensor input) => Apply(Kind, input);

    /// <inheritdoc/>
    int? IHostLayer.InputWidth => Width;

    /// <inheritdoc/>
    int? IHostLayer.OutputWidth => Width;
}
