using Modular.Tensors;

namespace Modular.NN;

/// <summary>Returns its input: a named point in a model where hooks can act (e.g. just before an output projection).</summary>
public sealed class Identity : Layer
{
    /// <inheritdoc/>
    protected override Tensor Compute(Tensor input) => input;
}
