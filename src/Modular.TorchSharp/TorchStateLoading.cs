using System.Buffers.Binary;
using Modular.Checkpoints;
using Modular.NN;
using Modular.Tensors;

namespace Modular.TorchSharp;

/// <summary>
/// Loads a PyTorch model's weights into a Modular module by parameter path: a <c>torch.save</c> state dict
/// (<see cref="TorchStateDict"/>) or a safetensors file, through <see cref="Module.LoadState"/>, whose checks
/// (missing, unknown, shape) run before anything changes.
/// </summary>
public static class TorchStateLoading
{
    /// <summary>
    /// Copies the tensors of the state dict or safetensors file at <paramref name="path"/> into
    /// <paramref name="module"/>'s parameters with the same paths. <paramref name="pathMapping"/> maps the file's keys to
    /// Modular paths where the PyTorch model names its layers differently (identity when null); it returns null for a key
    /// to leave out. With <paramref name="strict"/> every parameter must be present and no unknown key may remain; shapes
    /// must always match. A failed load leaves the module unchanged.
    /// </summary>
    public static T LoadTorchState<T>(this T module, string path, Func<string, string?>? pathMapping = null, bool strict = true) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(path);
        var loaded = IsSafeTensors(path) ? SafeTensorsFile.Read(path).GetAll() : TorchStateDict.Read(path);
        try
        {
            var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            var fileKeys = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, tensor) in loaded)
            {
                var target = pathMapping is null ? key : pathMapping(key);
                if (target is null) continue;
                if (fileKeys.TryGetValue(target, out var earlier))
                    throw new ModulePathException($"LoadTorchState: '{path}': the path mapping sends both '{earlier}' and '{key}' to '{target}'. Map each key of the file to its own parameter, or return null for keys to leave out.");
                fileKeys.Add(target, key);
                state.Add(target, tensor);
            }
            try
            {
                module.LoadState(state, strict);
            }
            catch (ModulePathException e)
            {
                throw new ModulePathException(
                    $"LoadTorchState: '{path}' does not fit {module.GetType().Name}: {e.Message} The file's keys look like: {Sample(loaded.Keys)}; the module's parameters: {Sample(module.State().Keys)}. " +
                    (pathMapping is null ? "Pass a pathMapping from the file's keys to the module's paths (return null to leave a key out)." : "Check the pathMapping (keys above are before it, paths after it)."));
            }
            catch (ShapeMismatchException e)
            {
                throw new ShapeMismatchException(
                    $"LoadTorchState: '{path}': {e.Message}{Origin(e.Message, fileKeys)} The PyTorch model was built with other sizes: build the Modular module with the sizes of the file, or leave that key out with a pathMapping that returns null for it.");
            }
        }
        finally
        {
            foreach (var tensor in loaded.Values) tensor.Dispose();
        }
        return module;
    }

    // A safetensors file starts with its header's length (u64, little-endian) and then the header's opening brace; a
    // torch.save file is a zip archive ("PK") or, from PyTorch before 1.6, a pickle (0x80).
    private static bool IsSafeTensors(string path)
    {
        if (!File.Exists(path)) return false;
        using var stream = File.OpenRead(path);
        Span<byte> start = stackalloc byte[9];
        if (stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false) < start.Length) return false;
        return start[8] == (byte)'{' && BinaryPrimitives.ReadUInt64LittleEndian(start) < (ulong)stream.Length;
    }

    private static string Sample(IEnumerable<string> keys)
    {
        var all = keys.Order(StringComparer.Ordinal).ToList();
        return all.Count == 0 ? "(none)" : string.Join(", ", all.Take(6).Select(k => $"'{k}'")) + (all.Count > 6 ? $" and {all.Count - 6} more" : "");
    }

    private static string Origin(string message, Dictionary<string, string> fileKeys)
    {
        var renamed = fileKeys.FirstOrDefault(e => e.Key != e.Value && message.Contains($"'{e.Key}'", StringComparison.Ordinal));
        return renamed.Key is null ? "" : $" ('{renamed.Key}' is the file's '{renamed.Value}'.)";
    }
}
