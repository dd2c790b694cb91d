using Modular.Tensors;

namespace Modular.NN;

/// <summary>
/// Transforms a module's output after its forward pass. This is how modular components attach to a frozen
/// base without changing its code: LoRA adds a low-rank term to a linear layer's output, an adapter rewrites a
/// feed-forward block's output, (IA)³ rescales keys, values and hidden activations, a prompt is prepended to
/// the embeddings. Hooks run in the order they were added.
/// </summary>
public interface IForwardHook
{
    /// <summary>Returns the (possibly) transformed output of <paramref name="module"/> for <paramref name="input"/>.</summary>
    Tensor OnForward(Module module, Tensor input, Tensor output);
}
