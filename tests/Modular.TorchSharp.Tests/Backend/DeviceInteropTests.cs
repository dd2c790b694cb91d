using Modular.Tensors;
using TorchSharp;

namespace Modular.TorchSharp.Tests.Backend;

/// <summary>ToTorch and FromTorch share memory where the storage is libtorch's already, and copy where it is not.</summary>
public class DeviceInteropTests
{
    private static readonly Device Torch = Device.Torch("cpu");

    [Fact]
    public void A_device_tensor_and_its_views_convert_to_libtorch_without_a_copy()
    {
        using var torchScope = torch.NewDisposeScope();
        using var scope = TensorScope.Begin();
        var values = Enumerable.Range(0, 12).Select(i => (float)i).ToArray();
        var t = Tensor.FromArray(values, [3, 4], Torch);
        var transposed = t.Transpose(0, 1).Narrow(0, 1, 2); // [2, 3], strided, offset 1
        var view = transposed.ToTorch();
        Assert.Equal([2L, 3L], view.shape);
        Assert.Equal(transposed.ToArray(), view.contiguous().data<float>().ToArray());
        view.fill_(-1f); // the same memory: Modular sees libtorch's write
        Assert.Equal([0f, -1f, -1f, 3f, 4f, -1f, -1f, 7f, 8f, -1f, -1f, 11f], t.ToArray());
    }

    [Fact]
    public void FromTorch_onto_the_source_device_shares_and_onto_the_host_copies()
    {
        using var torchScope = torch.NewDisposeScope();
        using var scope = TensorScope.Begin();
        var source = torch.arange(6, torch.float32).reshape(2, 3);
        var shared = Tensor.FromTorch(source, Torch);
        var copied = Tensor.FromTorch(source);
        Assert.Same(Torch, shared.Device);
        Assert.Same(Device.Cpu, copied.Device);
        source.mul_(10f);
        Assert.Equal([0f, 10f, 20f, 30f, 40f, 50f], shared.ToArray());
        Assert.Equal([0f, 1f, 2f, 3f, 4f, 5f], copied.ToArray());
        // a strided source is made dense first, so the Modular tensor owns a copy
        var strided = Tensor.FromTorch(source.t(), Torch);
        Assert.Equal([0f, 30f, 10f, 40f, 20f, 50f], strided.ToArray());
        // and the shared tensor computes on libtorch like any other
        Assert.Equal([0f, 20f, 40f, 60f, 80f, 100f], shared.Add(shared).ToArray());
    }
}
