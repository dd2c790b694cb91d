namespace Modular.TorchSharp.Native;

/// <summary>TorchSharp's native library (libLibTorchSharp with libtorch) could not be loaded; the message gives the loader's reason and the command that fixes it.</summary>
public sealed class TorchNativeLoadException : ModularException
{
    /// <summary>Creates the exception with the diagnosis.</summary>
    public TorchNativeLoadException(string message) : base(message) { }

    /// <summary>Creates the exception with the diagnosis, wrapping TorchSharp's own load error.</summary>
    public TorchNativeLoadException(string message, Exception inner) : base(message, inner) { }
}
