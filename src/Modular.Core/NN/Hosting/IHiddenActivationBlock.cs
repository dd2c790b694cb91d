namespace Modular.NN;

/// <summary>
/// A block whose hidden activation is read by exactly one linear layer (a Transformer's feed-forward block: up,
/// activation, down). A module that rescales the activation's output can fold itself into that layer's columns.
/// </summary>
public interface IHiddenActivationBlock
{
    /// <summary>The hidden activation.</summary>
    Activation HiddenActivation { get; }

    /// <summary>The linear layer that reads it.</summary>
    Linear HiddenReader { get; }
}
