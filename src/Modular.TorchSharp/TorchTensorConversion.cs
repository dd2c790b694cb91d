using System.Runtime.InteropServices;
using Modular.Tensors;
using Modular.TorchSharp.Backend;
using Modular.TorchSharp.Native;
using TorchSharp;

namespace Modular.TorchSharp;

/// <summary>
/// Between Modular tensors and libtorch tensors: <c>tensor.ToTorch()</c> and <c>Tensor.FromTorch(t)</c>. A tensor whose
/// storage is already libtorch's (on a <c>Device.Torch(...)</c> device) converts without a copy, as a view of the same
/// memory; host tensors are copied bit for bit (float32 both sides), views in the row-major order of their shape.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1708", Justification = "The two extension blocks compile to marker types whose generated names CA1708 compares; callers see only ToTorch and FromTorch.")]
public static class TorchTensorConversion
{
    extension(Tensor tensor)
    {
        /// <summary>
        /// A float32 libtorch tensor with this tensor's shape and values, without gradient history, on
        /// <paramref name="device"/> (when null: libtorch's CPU for a host tensor, the tensor's own device otherwise).
        /// A tensor already on that libtorch device is returned as a view of its memory (zero-copy: writes show on both
        /// sides); any other is copied (a strided or transposed view in the row-major order of its shape). The caller
        /// owns the handle: dispose it, or create it inside <c>torch.NewDisposeScope()</c>.
        /// </summary>
        public torch.Tensor ToTorch(torch.Device? device = null)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            TorchRuntime.EnsureLoaded();
            if (tensor.Backend is TorchBackend backend)
            {
                using var scope = torch.NewDisposeScope();
                var view = TorchBackend.Storage(tensor).Tensor.as_strided(TorchBackend.Dims(tensor), [.. tensor.Strides.ToArray().Select(s => (long)s)], tensor.Offset);
                var result = device is null || device.ToString() == backend.TorchDevice.ToString() ? view : view.to(device);
                return result.MoveToOuterDisposeScope();
            }
            var values = tensor.ToArray();
            var dims = tensor.Shape.Select(d => (long)d).ToArray();
            // torch.tensor copies a managed array into libtorch's own memory, so the copy does not pin Modular's pooled buffers.
            var host = torch.tensor(values, dims, torch.float32);
            if (device is null || device.type == DeviceType.CPU) return host;
            using (host) return host.to(device);
        }
    }

    extension(Tensor)
    {
        /// <summary>
        /// A Modular tensor holding the values of <paramref name="source"/> (any device, any strides), on
        /// <paramref name="device"/> (the CPU engine when null). On the libtorch device the source is on, a dense float32
        /// source is shared without a copy (writes show on both sides; the source handle stays the caller's). Otherwise
        /// the values are copied: float32 bit for bit; float16 and bfloat16 widen exactly; float64 rounds to nearest
        /// float32. Integer, boolean and complex tensors are refused with <see cref="TorchInteropException"/>.
        /// </summary>
        public static Tensor FromTorch(torch.Tensor source, Device? device = null)
        {
            ArgumentNullException.ThrowIfNull(source);
            TorchRuntime.EnsureLoaded();
            var dtype = source.dtype;
            var dims = source.shape;
            string described = $"libtorch tensor {dtype} [{string.Join(", ", dims)}] on {source.device}";
            if (dtype is not (torch.ScalarType.Float32 or torch.ScalarType.Float16 or torch.ScalarType.BFloat16 or torch.ScalarType.Float64))
                throw new TorchInteropException($"FromTorch: the {described} is not floating point; Modular tensors are float32. Convert it first (t.to(torch.float32)), or keep integer ids in an IntTensor.");
            if (dims.Any(d => d > int.MaxValue) || dims.Aggregate(1L, (product, d) => product * d) > int.MaxValue)
                throw new TorchInteropException($"FromTorch: the {described} has more than {int.MaxValue} elements, which a Modular tensor cannot hold; pass it in slices (t.narrow).");
            int[] shape = [.. dims.Select(d => (int)d)];
            if (device?.Backend is TorchBackend backend)
            {
                using var scope = torch.NewDisposeScope();
                var onDevice = source.detach().to(torch.float32, backend.TorchDevice);
                // a dense source is shared as it is (detach and a same-device, same-type to() keep its memory)
                var dense = onDevice.is_contiguous() && onDevice.storage_offset() == 0 ? onDevice : onDevice.contiguous();
                return backend.Wrap(dense, shape);
            }
            using (torch.NewDisposeScope())
            {
                using var dense = source.detach().to(torch.float32, torch.CPU).contiguous();
                return Tensor.FromArray(MemoryMarshal.Cast<byte, float>(dense.bytes), shape, device ?? Device.Cpu);
            }
        }
    }
}
