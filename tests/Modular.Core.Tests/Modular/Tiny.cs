using Modular.NN;
using Modular.Tensors;
using Modular.Tensors.Autograd;

namespace Modular.Tests.Modular;

/// <summary>Tiny models, batches and snapshots shared by the module tests (small enough that every test runs in milliseconds).</summary>
internal static class Tiny
{
    public const int Vocabulary = 16, Length = 6, Batch = 8;

    /// <summary>A 2-layer classifier, d = 16, 2 heads, 2 classes; the same seed gives the same weights.</summary>
    public static TransformerClassifier Classifier(int seed = 1) =>
        TransformerClassifier.Create(vocab: Vocabulary, dModel: 16, layers: 2, heads: 2, ff: 32, classes: 2, maxLength: Length + 2, seed: seed);

    /// <summary>A 2-layer masked language model, d = 16 (it has the <c>mlmHead.preDecoder</c> hook of the invertible adapter).</summary>
    public static MaskedLanguageModel LanguageModel(int seed = 1) =>
        new(Vocabulary, 16, 2, 2, 32, Length + 2, new Rng((ulong)seed));

    /// <summary>
    /// A fixed batch: random tokens, the last example padded after 4 tokens, label 1 when most real tokens are from the
    /// lower half of the vocabulary, and a "task" id per example (0 or 1) for modules routed by metadata.
    /// </summary>
    public static (IntTensor Ids, Tensor Mask, IntTensor Labels, Dictionary<string, int[]> Metadata) Data(int seed = 7)
    {
        var rng = new Rng((ulong)seed);
        var ids = new int[Batch * Length];
        var mask = new float[Batch * Length];
        var labels = new int[Batch];
        for (int b = 0; b < Batch; b++)
        {
            int real = b == Batch - 1 ? 4 : Length, low = 0;
            for (int t = 0; t < Length; t++)
            {
                ids[b * Length + t] = rng.NextInt(Vocabulary);
                mask[b * Length + t] = t < real ? 1f : 0f;
                if (t < real && ids[b * Length + t] < Vocabulary / 2) low++;
            }
            labels[b] = 2 * low > real ? 1 : 0;
        }
        var metadata = new Dictionary<string, int[]> { ["task"] = Enumerable.Range(0, Batch).Select(b => b % 2).ToArray() };
        return (IntTensor.FromArray(ids, Batch, Length), Tensor.FromArray(mask, Batch, Length), IntTensor.FromArray(labels), metadata);
    }

    /// <summary>Copies of every parameter and buffer's values by path.</summary>
    public static Dictionary<string, float[]> Snapshot(Module module) =>
        module.State().ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    /// <summary>The paths whose values differ in their bits between two snapshots (a path missing from either counts).</summary>
    public static List<string> Changed(Dictionary<string, float[]> before, Dictionary<string, float[]> after) =>
        [.. before.Keys.Union(after.Keys).Where(k => !before.TryGetValue(k, out var b) || !after.TryGetValue(k, out var a) || !SameBits(a, b)).Order(StringComparer.Ordinal)];

    public static bool SameBits(float[] a, float[] b) =>
        a.Length == b.Length && a.Zip(b).All(p => BitConverter.SingleToInt32Bits(p.First) == BitConverter.SingleToInt32Bits(p.Second));

    /// <summary>Draws every parameter of the named module afresh (N(0, σ²), around 1 for (IA)³ scales), so that its outputs and gradients are not trivially zero.</summary>
    public static void Randomize(ModularModel model, string name, int seed = 3, float scale = 0.3f)
    {
        var rng = new Rng((ulong)seed);
        var own = model.Get(name).OwnParameters;
        using var noGrad = GradMode.NoGrad();
        foreach (var (path, p) in model.Base.NamedParameters().Where(e => own.Contains(e.Parameter)))
        {
            using var values = Tensor.Normal(rng, path.EndsWith(".scale", StringComparison.Ordinal) ? 1f : 0f, scale, p.Shape.ToArray());
            p.Assign(values);
        }
    }

    /// <summary>Runs the model without recording gradients and returns its output values.</summary>
    public static float[] Outputs(ModularModel model, IntTensor ids, Tensor mask, IReadOnlyDictionary<string, int[]>? metadata = null)
    {
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        return model.Forward(ids, mask, metadata).ToArray();
    }
}
