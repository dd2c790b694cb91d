using Modular.Tensors;
using Modular.Tests.Golden;
using Xunit.Abstractions;

namespace Modular.TorchSharp.Tests.Golden;

/// <summary>The PyTorch golden cases of the layers and the whole classifier (Modular.Core.Tests), on libtorch's CPU device.</summary>
public sealed class TorchNnGoldenTests(ITestOutputHelper output) : NnGoldenCases(output)
{
    /// <inheritdoc/>
    protected override Device Device => Device.Torch("cpu");
}
