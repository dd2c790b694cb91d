namespace Modular.TorchSharp;

/// <summary>A libtorch tensor cannot become a Modular tensor (its dtype, or a size beyond Modular's 32-bit element counts); the message names the tensor and what to do.</summary>
public sealed class TorchInteropException(string message) : ModularException(message);
