using Modular.Tensors;
using Xunit.Abstractions;

namespace Modular.Tests.Golden;

/// <summary>The operation golden cases on the CPU engine.</summary>
public sealed class OpGoldenTests(ITestOutputHelper output) : OpGoldenCases(output)
{
    /// <inheritdoc/>
    protected override Device Device => Device.Cpu;
}
