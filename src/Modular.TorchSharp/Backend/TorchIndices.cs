using Modular.Tensors;
using TorchSharp;

namespace Modular.TorchSharp.Backend;

/// <summary>Indices a libtorch kernel computed (top-k, the arg-max of a maximum), kept on the device as int64 until the host asks for them.</summary>
internal sealed class TorchIndices(TorchBackend backend) : DeviceIndices
{
    private torch.Tensor? tensor;

    public override Modular.Tensors.Kernels.Backend Backend => backend;

    /// <summary>The int64 values; set once by the kernel that computes them.</summary>
    public torch.Tensor Tensor => tensor ?? throw new InvalidOperationException("These indices were allocated but no kernel has computed them yet.");

    public void Adopt(torch.Tensor result) => tensor = result.DetachFromDisposeScope();

    public override void CopyTo(Span<int> destination)
    {
        using var scope = torch.NewDisposeScope();
        var host = Tensor.to(torch.int32, torch.CPU).contiguous();
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(host.bytes).CopyTo(destination);
    }

    protected override void Free()
    {
        tensor?.Dispose();
        tensor = null;
    }
}
