using Modular.Tensors;

namespace Modular.NN;

/// <summary>A model that reads token ids [batch, length] (with an optional padding mask, 1 = token) and returns its output tensor.</summary>
public interface ITokenModel
{
    /// <summary>Runs the model.</summary>
    Tensor Forward(IntTensor ids, Tensor? paddingMask = null);
}
