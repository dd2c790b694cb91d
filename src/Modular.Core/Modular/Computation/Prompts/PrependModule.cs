using Modular.Tensors;

namespace Modular.Computation;

/// <summary>
/// Input composition: learned vectors are concatenated in front of the host's output along the sequence
/// ([batch, length, d] → [batch, n + length, d]). Prompt tuning does this to the embeddings, prefix tuning to
/// each attention layer's keys and values.
/// </summary>
public abstract class PrependModule : ComputationModule
{
    /// <summary>The vectors to prepend, [n, d].</summary>
    protected abstract Tensor Vectors();

    /// <summary>Number of prepended positions.</summary>
    public abstract int Length { get; }

    /// <inheritdoc/>
    public override CompositionKind Composition => CompositionKind.Input;

    /// <inheritdoc/>
    public override Tensor Apply(Tensor input, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (output.Rank != 3) throw new ShapeMismatchException($"{Method} prepends along the sequence of a [batch, length, d] output; got {output.Describe()}.");
        var vectors = Vectors();
        if (vectors.Size(1) != output.Size(2)) throw new ShapeMismatchException($"{Method}: vectors {vectors.Shape} do not match the host's width {output.Size(2)}.");
        var expanded = vectors.Unsqueeze(0).Expand(output.Size(0), -1, -1);
        return Tensor.Cat([expanded, output], 1);
    }
}
