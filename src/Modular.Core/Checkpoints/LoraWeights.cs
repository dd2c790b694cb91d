using Modular.Tensors;

namespace Modular.Checkpoints;

/// <summary>
/// The two low-rank factors LoRA adds to one linear layer, ΔW = B·A: <see cref="A"/> is [r × in] and
/// <see cref="B"/> is [out × r], stored under the layer's module path (e.g. <c>layers.0.attention.query</c>).
/// </summary>
public sealed class LoraWeights
{
    /// <summary>Pairs the factors of the layer at <paramref name="modulePath"/>; throws <see cref="ShapeMismatchException"/> unless A is [r × in] and B is [out × r].</summary>
    public LoraWeights(string modulePath, Tensor a, Tensor b)
    {
        ArgumentException.ThrowIfNullOrEmpty(modulePath);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rank != 2 || b.Rank != 2 || a.Size(0) != b.Size(1) || a.Size(0) == 0)
            throw new ShapeMismatchException(
                $"LoRA factors of '{modulePath}' must be A [r × in] and B [out × r] with the same r ≥ 1, but A is {a.Shape} and B is {b.Shape}.");
        ModulePath = modulePath;
        A = a;
        B = b;
    }

    /// <summary>The adapted layer's path in the model.</summary>
    public string ModulePath { get; }

    /// <summary>The down-projection, [r × in].</summary>
    public Tensor A { get; }

    /// <summary>The up-projection, [out × r].</summary>
    public Tensor B { get; }

    /// <summary>The rank r.</summary>
    public int Rank => A.Size(0);

    /// <summary>The layer's input features.</summary>
    public int InFeatures => A.Size(1);

    /// <summary>The layer's output features.</summary>
    public int OutFeatures => B.Size(0);
}
