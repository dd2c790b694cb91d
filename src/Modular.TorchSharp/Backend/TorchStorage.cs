using Modular.Tensors;
using Modular.Tensors.Kernels;
using TorchSharp;

namespace Modular.TorchSharp.Backend;

/// <summary>
/// A tensor's memory on a libtorch device: one contiguous float32 libtorch tensor with storage offset 0, which every
/// Modular view of it addresses with <c>as_strided</c>. The tensor is made on first use, so that a kernel whose output is
/// fresh storage can adopt the libtorch result it computed instead of copying it into memory allocated beforehand.
/// </summary>
internal sealed class TorchStorage(TorchBackend backend, int length) : TensorStorage(length)
{
    private torch.Tensor? tensor;

    public override Modular.Tensors.Kernels.Backend Backend => backend;

    /// <summary>True until memory is allocated or a kernel's result is adopted.</summary>
    public bool IsUnbound => tensor is null;

    /// <summary>The dimensions of the libtorch tensor, kept so that a view of the whole can be recognised without a native call.</summary>
    public long[] Dims { get; private set; } = [];

    /// <summary>The libtorch tensor holding the memory, allocated (uninitialised) on first use.</summary>
    public torch.Tensor Tensor
    {
        get
        {
            if (IsReleased) throw Disposed();
            if (tensor is null) Adopt(torch.empty([Length], torch.float32, backend.TorchDevice));
            return tensor!;
        }
    }

    /// <summary>Takes <paramref name="result"/> (contiguous, float32, storage offset 0, <see cref="TensorStorage.Length"/> elements) as this memory, out of any dispose scope.</summary>
    public void Adopt(torch.Tensor result)
    {
        tensor = result.DetachFromDisposeScope();
        Dims = result.shape;
    }

    protected override void Free()
    {
        tensor?.Dispose();
        tensor = null;
    }
}
