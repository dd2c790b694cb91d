using Modular.Tensors;

namespace Modular.NN;

/// <summary>A lookup table of learned vectors, one row per token id (initialised N(0, 1) as PyTorch's nn.Embedding).</summary>
public sealed class Embedding : Module
{
    /// <summary>Creates a [count, dimension] table.</summary>
    public Embedding(int count, int dimension, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (count < 1 || dimension < 1) throw new ConfigurationException($"Embedding({count}, {dimension}): sizes must be ≥ 1.");
        using var w = Tensor.Randn(rng, count, dimension);
        Weight = AddParameter("weight", w);
    }

    /// <summary>[count, dimension].</summary>
    public Parameter Weight { get; }

    /// <summary>Number of rows (vocabulary size).</summary>
    public int Count => Weight.Size(0);

    /// <summary>Vector size.</summary>
    public int Dimension => Weight.Size(1);

    /// <inheritdoc/>
    public override string Description => $"{Count} × {Dimension}";

    /// <summary>The rows for <paramref name="ids"/>: shape ids.shape + [dimension].</summary>
    public Tensor Forward(IntTensor ids)
    {
        var output = Weight.Embedding(ids);
        return RunHooks(output, output);
    }
}
