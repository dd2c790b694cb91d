namespace Modular.TorchSharp;

/// <summary>A libtorch device that cannot be used here (unknown, or CUDA without a CUDA build of libtorch or a GPU); the message says what to install or write instead.</summary>
public sealed class TorchDeviceException(string message) : ModularException(message);
