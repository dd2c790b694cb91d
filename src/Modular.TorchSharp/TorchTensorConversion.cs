using System.Runtime.InteropServices;
using Modular.Tensors;
using Modular.TorchSharp.Native;
using TorchSharp;

namespace Modular.TorchSharp;

/// <summary>
/// Copies between Modular tensors (host memory) and libtorch tensors: <c>tensor.ToTorch()</c> and
/// <c>Tensor.FromTorch(t)</c>. Values are copied bit for bit (float32 both sides); views of either kind are copied in
/// row-major order of their shape.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1708", Justification = "The two extension blocks compile to marker types whose generated names CA1708 compares; callers see only ToTorch and FromTorch.")]
public static class TorchTensorConversion
{
    extension(Tensor tensor)
    {
        /// <summary>
        /// A new float32 libtorch tensor with this tensor's shape and values (a strided or transposed view is copied in
        /// the row-major order of its shape), on <paramref name="device"/> (libtorch's CPU when null), without
        /// gradient history. The caller owns it: dispose it, or create it inside <c>torch.NewDisposeScope()</c>.
        /// </summary>
        public torch.Tensor ToTorch(torch.Device? device = null)
        {
            ArgumentNullException.ThrowIfNull(tensor);
            TorchRuntime.EnsureLoaded();
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
        /// A new Modular tensor holding the values of <paramref name="source"/> (any device, any strides). float32 is
        /// copied bit for bit; float16 and bfloat16 widen exactly; float64 rounds to nearest float32. Integer, boolean
        /// and complex tensors are refused with <see cref="TorchInteropException"/>. The source is left untouched.
        /// </summary>
        public static Tensor FromTorch(torch.Tensor source)
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
            using var scope = torch.NewDisposeScope();
            using var dense = source.detach().to(torch.float32, torch.CPU).contiguous();
            return Tensor.FromArray(MemoryMarshal.Cast<byte, float>(dense.bytes), [.. dims.Select(d => (int)d)]);
        }
    }
}
