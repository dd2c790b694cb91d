using System.Runtime.CompilerServices;
using Modular.TorchSharp.Native;

namespace Modular.TorchSharp.Tests;

/// <summary>Loads TorchSharp once, through Modular.TorchSharp, before any test runs.</summary>
internal static class TorchLoading
{
    // Tests run in parallel and many begin with torch.NewDisposeScope(): were one of them first, TorchSharp's static
    // initialiser would load the unpatched library, fail, and never retry, so the patch must come before any of them.
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "The test assembly's own start-up: the natives must be patched before any test touches torch.")]
    internal static void Load() => TorchRuntime.EnsureLoaded();
}
