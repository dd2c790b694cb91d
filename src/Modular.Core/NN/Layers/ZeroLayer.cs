using Modular.Tensors;

namespace Modular.NN;

/// <summary>
/// A layer that computes nothing of its own: its output is zeros shaped like its input. It marks a place in a model
/// whose whole computation comes from modules attached there — a mixture of experts' feed-forward position, where the
/// routed experts are the block and a token no expert takes contributes nothing (the residual carries it).
/// </summary>
public sealed class ZeroLayer(int width) : Layer, IHostLayer
{
    /// <summary>Width of the vectors it reads and writes.</summary>
    public int Width { get; } = width > 0 ? width : throw new ConfigurationException($"ZeroLayer: width must be ≥ 1, got {width}.");

    /// <inheritdoc/>
    public override string Description => $"{Width}, empty";

    /// <inheritdoc/>
    int? IHostLayer.InputWidth => Width;

    /// <inheritdoc/>
    int? IHostLayer.OutputWidth => Width;

    /// <inheritdoc/>
    protected override Tensor Compute(Tensor input)
    {
        if (input.Size(-1) != Width) throw new ShapeMismatchException($"{Describe()}: input {input.Describe()} must end in width {Width}.");
        return Tensor.Zeros(input.Shape.ToArray(), input.Device);
    }
}
