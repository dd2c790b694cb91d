namespace Modular.Tensors.Kernels;

/// <summary>The sizes of one <see cref="Backend.Attention"/> call; <see cref="Scale"/> multiplies the scores before the softmax.</summary>
internal readonly record struct AttentionShape(int Batch, int Heads, int Queries, int Keys, int Width, float Scale)
{
    /// <summary>Columns per head.</summary>
    public int HeadWidth => Width / Heads;
}
