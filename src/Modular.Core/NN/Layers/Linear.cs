using Modular.Tensors;

namespace Modular.NN;

/// <summary>y = x·Wᵀ + b with W [out, in], initialised as PyTorch's nn.Linear.</summary>
public sealed class Linear : Layer, IBiasedLayer
{
    /// <summary>Creates a linear layer; weights drawn from <paramref name="rng"/>.</summary>
    public Linear(int inFeatures, int outFeatures, Rng rng, bool bias = true)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (inFeatures < 1 || outFeatures < 1) throw new ConfigurationException($"Linear({inFeatures}, {outFeatures}): feature counts must be ≥ 1.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        using var w = Init.LinearWeight(rng, outFeatures, inFeatures);
        Weight = AddParameter("weight", w);
        if (bias)
        {
            using var b = Init.LinearBias(rng, outFeatures, inFeatures);
            Bias = AddParameter("bias", b);
        }
    }

    /// <summary>Input features.</summary>
    public int InFeatures { get; }

    /// <summary>Output features.</summary>
    public int OutFeatures { get; }

    /// <summary>[out, in].</summary>
    public Parameter Weight { get; }

    /// <summary>[out], or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public override string Description => $"{InFeatures} → {OutFeatures}{(Bias is null ? ", no bias" : "")}";

    /// <inheritdoc/>
    protected override Tensor Compute(Tensor input) => input.Linear(Weight, Bias);

    /// <inheritdoc/>
    int? IHostLayer.InputWidth => InFeatures;

    /// <inheritdoc/>
    int? IHostLayer.OutputWidth => OutFeatures;
}
