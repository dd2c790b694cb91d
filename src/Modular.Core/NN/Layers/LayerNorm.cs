using Modular.Tensors;

namespace Modular.NN;

/// <summary>Layer normalisation over the last dimension with learned scale and shift (PyTorch's nn.LayerNorm).</summary>
public sealed class LayerNorm : Layer, IBiasedLayer
{
    /// <summary>Creates a layer norm over <paramref name="features"/> values; <paramref name="affine"/> adds γ (ones) and β (zeros).</summary>
    public LayerNorm(int features, float eps = 1e-5f, bool affine = true)
    {
        if (features < 1) throw new ConfigurationException($"LayerNorm({features}): features must be ≥ 1.");
        Features = features;
        Eps = eps;
        if (affine)
        {
            using var ones = Tensor.Ones(features);
            using var zeros = Tensor.Zeros(features);
            Weight = AddParameter("weight", ones);
            Bias = AddParameter("bias", zeros);
        }
    }

    /// <summary>Size of the normalised dimension.</summary>
    public int Features { get; }

    /// <summary>Added to the variance.</summary>
    public float Eps { get; }

    /// <summary>γ, or null without affine.</summary>
    public Parameter? Weight { get; }

    /// <summary>β, or null without affine.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public override string Description => $"{Features}, eps {Eps:G3}";

    /// <inheritdoc/>
    protected override Tensor Compute(Tensor input) => input.LayerNorm(Weight, Bias, Eps);

    /// <inheritdoc/>
    int? IHostLayer.InputWidth => Features;

    /// <inheritdoc/>
    int? IHostLayer.OutputWidth => Features;
}
