using Modular.Checkpoints;
using Modular.Tensors;
using Modular.Tests.Checkpoints;

namespace Modular.Tests.Modular;

/// <summary>
/// The outputs and gradients tests/golden/generate_modules.py recorded with PyTorch (float64 on the same float32
/// parameters and inputs), and the comparison the golden tests make against them.
/// </summary>
internal static class PyTorchReference
{
    /// <summary>The relative tolerance of the issue: 1e-5.</summary>
    public const double Relative = 1e-5;

    /// <summary>
    /// The absolute floor, as a fraction of the tensor's largest magnitude: |a − e| ≤ 1e-5·|e| + 1e-6·max|e|. Float32
    /// rounding errors scale with the terms summed, not with a result that cancels to near zero, so near-zero entries
    /// are judged at about ten float32 ulps of the tensor's scale.
    /// </summary>
    public const double Floor = 1e-6;

    private static readonly Lazy<SafeTensors> File = new(() => SafeTensorsFile.Read(GoldenFiles.Path("modules", "reference.safetensors")));

    /// <summary>The directory of the PEFT adapter the generator wrote.</summary>
    public static string PeftAdapter => GoldenFiles.Path("modules", "peft_lora");

    public static Tensor Get(string key) => File.Value.Get(key);

    public static bool Contains(string key) => File.Value.Contains(key);

    /// <summary>Token ids, which the file stores as F32.</summary>
    public static IntTensor Ids(string key)
    {
        using var values = Get(key);
        return IntTensor.FromArray(values.ToArray().Select(v => (int)v).ToArray(), values.Shape.ToArray());
    }

    /// <summary>Every tensor under the given key prefixes, by the rest of its key (a path in the model).</summary>
    public static Dictionary<string, Tensor> State(params string[] prefixes) =>
        File.Value.Names.SelectMany(n => prefixes.Where(p => n.StartsWith(p, StringComparison.Ordinal)).Select(p => (Path: n[p.Length..], Name: n)))
            .ToDictionary(e => e.Path, e => Get(e.Name), StringComparer.Ordinal);

    /// <summary>Asserts <paramref name="actual"/> matches the reference tensor <paramref name="key"/>; returns the worst error as a fraction of the tolerance (≤ 1 passes).</summary>
    public static double AssertMatches(string key, Tensor? actual)
    {
        Assert.NotNull(actual);
        using var expected = Get(key);
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.ToArray();
        var a = actual.ToArray();
        double floor = Floor * e.Max(v => Math.Abs(v));
        double worst = 0;
        int worstAt = 0;
        for (int i = 0; i < e.Length; i++)
        {
            double share = Math.Abs(a[i] - (double)e[i]) / (Relative * Math.Abs(e[i]) + floor);
            if (share > worst) (worst, worstAt) = (share, i);
        }
        Assert.True(worst <= 1, $"{key}: element {worstAt} is {a[worstAt]:R}, PyTorch gives {e[worstAt]:R}: {worst:F2} times the tolerance 1e-5·|e| + {floor:E2}.");
        return worst;
    }
}
