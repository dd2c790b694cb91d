using Modular.Tensors;
using Modular.Tests.Golden;
using Xunit.Abstractions;

namespace Modular.TorchSharp.Tests.Golden;

/// <summary>The PyTorch golden cases of every operation that the CPU engine passes (Modular.Core.Tests), on libtorch's CPU device.</summary>
public sealed class TorchOpGoldenTests(ITestOutputHelper output) : OpGoldenCases(output)
{
    /// <inheritdoc/>
    protected override Device Device => Device.Torch("cpu");
}
