using System.Runtime.InteropServices;
using Modular.NN;
using Modular.Tensors;
using Modular.Tensors.Autograd;

namespace Modular.Tests.Support;

/// <summary>Parameter values for tests: random fills, snapshots, and bit-for-bit comparisons.</summary>
internal static class ModuleValues
{
    /// <summary>
    /// Overwrites every parameter of <paramref name="module"/> with N(0, <paramref name="std"/>²) values, so that
    /// zero-initialised parts (LoRA's B, an adapter's up-projection) change the output and a wrong route shows.
    /// </summary>
    public static void Randomize(Module module, Rng rng, float std = 0.5f)
    {
        using var noGrad = GradMode.NoGrad();
        foreach (var p in module.Parameters())
        {
            using var values = Tensor.Normal(rng, 0f, std, p.Shape.ToArray());
            p.Assign(values);
        }
    }

    /// <summary>A copy of every parameter's values by path.</summary>
    public static Dictionary<string, float[]> Snapshot(Module module) =>
        module.NamedParameters().ToDictionary(e => e.Path, e => e.Parameter.ToArray(), StringComparer.Ordinal);

    /// <summary>The paths whose values differ (bit for bit) between two snapshots of the same model.</summary>
    public static List<string> Changed(Dictionary<string, float[]> before, Dictionary<string, float[]> after) =>
        before.Keys.Where(k => !MemoryMarshal.AsBytes(before[k].AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(after[k].AsSpan()))).Order(StringComparer.Ordinal).ToList();
}
