namespace Modular.Tests.Support;

/// <summary>
/// Maps the PyTorch state_dict names of the reference modules in tests/golden/generate_nn.py (which copy
/// torch_ref.py's names: q, k, v, o, ln1, ff1, ff2, ln2, emb, pos) to Modular module paths, segment by segment:
/// <c>layers.0.q.weight</c> → <c>layers.0.attention.query.weight</c>. Segments without a rule are kept.
/// </summary>
internal sealed class TorchStateNames(IReadOnlyDictionary<string, string> segments)
{
    /// <summary>Names that are the same on both sides (Linear, LayerNorm, the optimisers' MLP).</summary>
    public static TorchStateNames Same { get; } = new(new Dictionary<string, string>());

    /// <summary>A standalone attention layer: q, k, v, o → query, key, value, output.</summary>
    public static TorchStateNames Attention { get; } = new(new Dictionary<string, string>
    {
        ["q"] = "query", ["k"] = "key", ["v"] = "value", ["o"] = "output",
    });

    /// <summary>A standalone feed-forward block: ff1, ff2 → up, down.</summary>
    public static TorchStateNames FeedForward { get; } = new(new Dictionary<string, string> { ["ff1"] = "up", ["ff2"] = "down" });

    /// <summary>torch_ref.EncoderLayer, whose projections and norms sit flat on the layer, → TransformerEncoderLayer.</summary>
    public static TorchStateNames EncoderLayer { get; } = new(EncoderLayerSegments());

    /// <summary>torch_ref.Classifier → TransformerClassifier (the layers inside as <see cref="EncoderLayer"/>).</summary>
    public static TorchStateNames Classifier { get; } = new(new Dictionary<string, string>(EncoderLayerSegments())
    {
        ["emb"] = "embeddings.tokens", ["pos"] = "embeddings.positions",
    });

    /// <summary>The Modular path of <paramref name="torchName"/>.</summary>
    public string ToModular(string torchName) =>
        string.Join('.', torchName.Split('.').Select(s => segments.TryGetValue(s, out var ours) ? ours : s));

    private static Dictionary<string, string> EncoderLayerSegments() => new()
    {
        ["q"] = "attention.query", ["k"] = "attention.key", ["v"] = "attention.value", ["o"] = "attention.output",
        ["ln1"] = "attentionNorm", ["ff1"] = "feedForward.up", ["ff2"] = "feedForward.down", ["ln2"] = "outputNorm",
    };
}
