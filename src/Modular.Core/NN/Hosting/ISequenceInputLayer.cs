using Modular.Tensors;

namespace Modular.NN;

/// <summary>
/// The layer that turns token ids into the vectors a sequence model reads, [batch, length, width]. Input composition
/// happens here: prompt tuning prepends learned positions to its output (the batch's padding mask grows with them),
/// and MAD-X's invertible adapter transforms it.
/// </summary>
public interface ISequenceInputLayer : IHostLayer
{
    /// <summary>The vectors of the given token ids, [n, width], without positions (e.g. to initialise a prompt from words).</summary>
    Tensor TokenVectors(IntTensor ids);
}
