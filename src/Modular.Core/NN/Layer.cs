using Modular.Tensors;

namespace Modular.NN;

/// <summary>
/// A module with one tensor in and one tensor out. <see cref="Forward"/> computes the layer and then runs its
/// hooks, so every layer is a place where modular components can attach.
/// </summary>
public abstract class Layer : Module
{
    /// <summary>Computes the layer on <paramref name="input"/>, then applies the attached hooks.</summary>
    public Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return RunHooks(input, Compute(input));
    }

    /// <summary>The layer's own computation, without hooks.</summary>
    protected abstract Tensor Compute(Tensor input);
}
