using System.Globalization;

namespace Modular.Tensors;

/// <summary>
/// The names a command line or configuration gives devices: <c>cpu</c> (Modular's CPU engine), <c>torch-cpu</c> or
/// <c>torch:cpu</c> (libtorch's CPU), <c>cuda</c>, <c>cuda:N</c> or <c>torch:cuda:N</c> (libtorch on a GPU). The grammar
/// lives beside <see cref="Device"/> so that a program can check a name before anything loads libtorch;
/// Modular.TorchSharp's <c>Device.Named</c> turns a libtorch name into its device.
/// </summary>
public static class DeviceName
{
    /// <summary>
    /// The libtorch device (<c>cpu</c>, <c>cuda</c>, <c>cuda:1</c>) that <paramref name="name"/> means, or null for
    /// Modular's CPU engine. Anything else is a <see cref="ConfigurationException"/> that names <paramref name="source"/>
    /// (an option, a variable) and the valid names.
    /// </summary>
    public static string? LibtorchDevice(string name, string source = "device")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        string n = name.Trim().ToLowerInvariant();
        if (n == "cpu") return null;
        if (n is "torch-cpu" or "torch:cpu") return "cpu";
        if (n.StartsWith("torch:", StringComparison.Ordinal)) n = n["torch:".Length..];
        if (n == "cuda" || (n.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(n.AsSpan("cuda:".Length), NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            return n;
        throw new ConfigurationException($"{source}: '{name}' is not a device; write cpu (Modular's CPU engine), torch-cpu (libtorch's CPU) or cuda / cuda:N (libtorch on a GPU).");
    }
}
