using Modular.Tensors;

namespace Modular.NN;

/// <summary>
/// A tensor that a module learns. It is a leaf with its own memory (never freed by a <see cref="TensorScope"/>),
/// and trains while <see cref="Trainable"/> is true.
/// </summary>
public sealed class Parameter : Tensor
{
    /// <summary>Copies <paramref name="initial"/> into a new parameter.</summary>
    public Parameter(Tensor initial, bool trainable = true)
        : base(CopyOf(initial), (initial ?? throw new ArgumentNullException(nameof(initial))).ShapeArray.ToArray(), TensorShape.ContiguousStrides(initial.ShapeArray), 0, scoped: false)
    {
        RequiresGrad = trainable;
    }

    private static TensorStorage CopyOf(Tensor initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        return Tensor.CopyToNewStorage(initial);
    }

    /// <summary>Whether an optimiser may update this parameter (gradients are recorded only then).</summary>
    public bool Trainable
    {
        get => RequiresGrad;
        set
        {
            RequiresGrad = value;
            if (!value) ZeroGrad();
        }
    }

    /// <summary>Overwrites the values in place (shape must match), e.g. when loading a checkpoint or merging a module.</summary>
    public void Assign(Tensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!values.Shape.Equals(Shape))
            throw new ShapeMismatchException($"Parameter '{Name}': cannot assign values of shape {values.Shape}; the parameter has shape {Shape}.");
        CopyFrom(values);
    }
}
