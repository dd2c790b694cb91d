using System.Text.Json.Nodes;

namespace Modular.Benchmarks;

/// <summary>One case of the anchor (gemm, lora, full, adapter, moe): runs its measurements and reports one JSON line each.</summary>
internal interface IBenchmarkCase
{
    /// <summary>The name given to <c>--cases</c>, as in the anchor.</summary>
    string Name { get; }

    /// <summary>Runs every measurement of the case with the kernels on <paramref name="threads"/> threads.</summary>
    void Run(int threads, TimingProtocol protocol, Action<JsonObject> report);
}
