namespace Modular.NN;

/// <summary>
/// An attention layer that accepts extra keys and values: when hooks on its key and value projections prepend n
/// positions to their outputs, it attends to those positions too (always, whatever the padding mask says). Prefix
/// tuning attaches to the projections of such a layer.
/// </summary>
public interface IPrefixableAttention
{
    /// <summary>Whether <paramref name="projection"/> is this layer's key or value projection.</summary>
    bool IsKeyOrValueProjection(Module projection);
}
