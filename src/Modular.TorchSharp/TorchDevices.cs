using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Modular.Tensors;
using Modular.TorchSharp.Backend;
using Modular.TorchSharp.Native;
using TorchSharp;

namespace Modular.TorchSharp;

/// <summary>
/// libtorch devices as Modular devices: <c>Device.Torch("cpu")</c>, <c>Device.Torch("cuda:0")</c>. One
/// <see cref="Device"/> per libtorch device, so devices compare by reference.
/// </summary>
public static class TorchDevices
{
    private static readonly ConcurrentDictionary<string, Device> Known = new(StringComparer.Ordinal);

    extension(Device)
    {
        /// <summary>
        /// A device by the name a command line or configuration gives it: <c>cpu</c> (Modular's CPU engine),
        /// <c>torch-cpu</c> or <c>torch:cpu</c> (libtorch's CPU), <c>cuda</c>, <c>cuda:1</c> or <c>torch:cuda:1</c>
        /// (libtorch on a GPU, see <see cref="Torch"/>), by <see cref="DeviceName"/>'s grammar; anything else is a
        /// <see cref="ConfigurationException"/> listing these.
        /// </summary>
        public static Device Named(string name) => DeviceName.LibtorchDevice(name) is { } libtorch ? Device.Torch(libtorch) : Device.Cpu;

        /// <summary>
        /// The libtorch device <paramref name="name"/> (<c>cpu</c>, <c>cuda</c>, <c>cuda:1</c>) as a Modular device, named
        /// <c>torch:cpu</c>, <c>torch:cuda:0</c>. Loads libtorch first; a CUDA device that this process's libtorch cannot
        /// reach is a <see cref="TorchDeviceException"/> that says which package brings CUDA.
        /// </summary>
        public static Device Torch(string name = "cpu")
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(name);
            TorchRuntime.EnsureLoaded();
            string trimmed = name.Trim();
            // libtorch refuses even to parse a CUDA device string when its CUDA runtime is absent, so ask first
            if (trimmed.StartsWith("cuda", StringComparison.OrdinalIgnoreCase) && !torch.cuda.is_available())
                throw new TorchDeviceException($"Device.Torch(\"{name}\"): CUDA is not available to this process: the libtorch it loaded is a CPU build or no GPU is visible. Reference TorchSharp-cuda-linux (or TorchSharp-cuda-windows) instead of TorchSharp-cpu, on a machine with an NVIDIA GPU and driver; or use Device.Torch(\"cpu\").");
            torch.Device parsed;
            try
            {
                parsed = torch.device(trimmed);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or ExternalException)
            {
                throw new TorchDeviceException($"Device.Torch(\"{name}\"): libtorch does not know this device ({e.Message}). Write \"cpu\", \"cuda\" or \"cuda:<index>\".");
            }
            if (parsed.type == DeviceType.CUDA)
            {
                int index = parsed.index < 0 ? 0 : parsed.index;
                int count = torch.cuda.device_count();
                if (index >= count) throw new TorchDeviceException($"Device.Torch(\"{name}\"): there are {count} CUDA devices (cuda:0…cuda:{count - 1}).");
                parsed = torch.device(DeviceType.CUDA, index);
            }
            else if (parsed.type != DeviceType.CPU)
                throw new TorchDeviceException($"Device.Torch(\"{name}\"): only libtorch's cpu and cuda devices are supported, not {parsed.type}.");
            string canonical = parsed.type == DeviceType.CPU ? "cpu" : $"cuda:{parsed.index}";
            return Known.GetOrAdd(canonical, key => new TorchBackend($"torch:{key}", torch.device(key)).Device);
        }
    }
}
