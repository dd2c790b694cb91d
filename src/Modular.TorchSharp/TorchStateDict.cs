using System.Collections;
using Modular.Tensors;
using Modular.TorchSharp.Native;
using TorchSharp;
using TorchSharp.PyBridge;

namespace Modular.TorchSharp;

/// <summary>
/// Reads a PyTorch state dict written by <c>torch.save(model.state_dict(), path)</c> (PyTorch's zip format, through
/// TorchSharp.PyBridge) into Modular tensors by key, converting with <see cref="TorchTensorConversion"/>.
/// </summary>
public static class TorchStateDict
{
    /// <summary>
    /// Every tensor of the state dict in <paramref name="path"/>, by key, as new Modular tensors (float16, bfloat16 and
    /// float64 converted to float32). Throws <see cref="CheckpointFormatException"/> naming the file, and the key where one
    /// is at fault, when the file is not a state dict (another format, a whole training checkpoint, non-float tensors).
    /// </summary>
    public static IReadOnlyDictionary<string, Tensor> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new CheckpointFormatException($"No PyTorch state dict at '{Path.GetFullPath(path)}': the file does not exist. Check the path.");
        TorchRuntime.EnsureLoaded();
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using var scope = torch.NewDisposeScope();
        Hashtable entries;
        try
        {
            entries = PyTorchUnpickler.UnpickleStateDict(path);
        }
        catch (Exception e) when (e is not ModularException and not OutOfMemoryException)
        {
            throw new CheckpointFormatException(
                $"'{path}' is not a PyTorch state dict that TorchSharp.PyBridge can read ({e.GetType().Name}: {e.Message}). Save it in Python with torch.save(model.state_dict(), path) (PyTorch ≥ 1.6 writes the zip format read here), or as safetensors.", e);
        }
        try
        {
            foreach (var key in entries.Keys.Cast<object>().Select(k => k.ToString() ?? "").Order(StringComparer.Ordinal))
            {
                if (entries[key] is not torch.Tensor value)
                    throw new CheckpointFormatException(
                        $"'{path}' holds a {Describe(entries[key])} under '{key}', not a tensor: it is not a state dict. If it is a training checkpoint, save its model part alone in Python (torch.save(checkpoint[\"model\"], path)).");
                if (!value.is_floating_point())
                    throw new CheckpointFormatException(
                        $"'{path}' holds '{key}' as a {value.dtype} tensor [{string.Join(", ", value.shape)}]; Modular parameters are float32. Leave such entries out of the file, or convert them (t.float()) before saving.");
                result.Add(key, Tensor.FromTorch(value));
            }
        }
        catch
        {
            foreach (var tensor in result.Values) tensor.Dispose();
            throw;
        }
        return result;
    }

    private static string Describe(object? value) => value switch
    {
        null => "None",
        IDictionary => "dictionary",
        _ => value.GetType().Name,
    };
}
