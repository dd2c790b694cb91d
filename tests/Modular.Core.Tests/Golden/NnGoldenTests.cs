using Modular.Tensors;
using Xunit.Abstractions;

namespace Modular.Tests.Golden;

/// <summary>The layer and classifier golden cases on the CPU engine.</summary>
public sealed class NnGoldenTests(ITestOutputHelper output) : NnGoldenCases(output)
{
    /// <inheritdoc/>
    protected override Device Device => Device.Cpu;
}
