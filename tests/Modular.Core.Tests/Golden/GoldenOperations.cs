using Modular.NN;
using Modular.Tensors;

namespace Modular.Tests.Golden;

/// <summary>The arguments of one golden case as tensors: inputs (leaves that collect gradients), constants and indices, by name.</summary>
internal sealed class GoldenArguments(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, IntTensor> indices, Device device)
{
    /// <summary>The device the case runs on, for operations whose arguments are indices only.</summary>
    public Device Device => device;

    /// <summary>The input or constant tensor called <paramref name="name"/> in the generator.</summary>
    public Tensor this[string name] => tensors[name];

    /// <summary>The integer tensor called <paramref name="name"/> in the generator.</summary>
    public IntTensor Index(string name) => indices[name];
}

/// <summary>
/// The C# twin of every case in tests/golden/generate_ops.py, by case name: the same operation on the same named
/// arguments (views such as <c>.t()</c> in the generator are applied here too).
/// </summary>
internal static class GoldenOperations
{
    /// <summary>Case name → the outputs of the operation on its arguments.</summary>
    public static IReadOnlyDictionary<string, Func<GoldenArguments, Tensor[]>> All { get; } = Build();

    private static Dictionary<string, Func<GoldenArguments, Tensor[]>> Build()
    {
        var ops = new Dictionary<string, Func<GoldenArguments, Tensor[]>>(StringComparer.Ordinal);
        void One(string name, Func<GoldenArguments, Tensor> op) => ops.Add(name, x => [op(x)]);
        void Many(string name, Func<GoldenArguments, Tensor[]> op) => ops.Add(name, op);

        // ---- element-wise
        var binary = new Dictionary<string, Func<Tensor, Tensor, Tensor>>
        {
            ["add"] = (a, b) => a.Add(b), ["sub"] = (a, b) => a.Sub(b), ["mul"] = (a, b) => a.Mul(b), ["div"] = (a, b) => a.Div(b),
        };
        foreach (var (name, op) in binary)
        {
            foreach (var pattern in new[] { "same", "right_row", "left_row", "both", "scalar" }) One($"{name}/{pattern}", x => op(x["a"], x["b"]));
            One($"{name}/strided", x => op(x["a"].T, x["b"].Narrow(1, 1, 4)));
        }
        foreach (var (name, op) in new Dictionary<string, Func<Tensor, Tensor, Tensor>> { ["maximum"] = (a, b) => a.Maximum(b), ["minimum"] = (a, b) => a.Minimum(b) })
        {
            One($"{name}/broadcast", x => op(x["a"], x["b"]));
            One($"{name}/ties", x => op(x["a"], x["b"]));
        }
        One("add_scalar", x => x["x"] + 1.5f);
        One("mul_scalar", x => x["x"] * -2f);
        One("rsub_scalar", x => 3f - x["x"]);
        One("div_scalar", x => x["x"] / 4f);
        One("neg", x => -x["x"]);
        One("exp", x => x["x"].Exp());
        One("log", x => x["x"].Log());
        One("sqrt", x => x["x"].Sqrt());
        foreach (var exponent in new[] { 2f, 3f, -1f, -2f, 0.5f, 1.5f, -0.5f })
            One(FormattableString.Invariant($"pow/{exponent}"), x => x["x"].Pow(exponent));
        foreach (var exponent in new[] { 2f, 3f, -1f })
            One(FormattableString.Invariant($"pow/{exponent}/negative_bases"), x => x["x"].Pow(exponent));
        var unary = new Dictionary<string, Func<Tensor, Tensor>>
        {
            ["relu"] = t => t.Relu(), ["gelu"] = t => t.Gelu(), ["tanh"] = t => t.Tanh(), ["sigmoid"] = t => t.Sigmoid(),
            ["softplus"] = t => t.Softplus(), ["abs"] = t => t.Abs(), ["clamp"] = t => t.Clamp(-0.5f, 0.5f),
        };
        foreach (var (name, op) in unary)
        {
            One(name, x => op(x["x"]));
            One($"{name}/transposed", x => op(x["x"].T));
        }

        // ---- reductions
        var axisSets = new Dictionary<string, (int[] Axes, bool KeepDim)>
        {
            ["0"] = ([0], false), ["1_keepdim"] = ([1], true), ["-1"] = ([-1], false),
            ["0_2"] = ([0, 2], false), ["1_2_keepdim"] = ([1, 2], true), ["all_axes"] = ([0, 1, 2], false),
        };
        foreach (var (name, (axes, keepDim)) in axisSets)
        {
            One($"sum/{name}", x => x["x"].Sum(axes, keepDim));
            One($"mean/{name}", x => x["x"].Mean(axes, keepDim));
        }
        One("sum/everything", x => x["x"].Sum());
        One("mean/everything", x => x["x"].Mean());
        One("sum/transposed", x => x["x"].Transpose(0, 2).Sum(1));
        One("max/0", x => x["x"].Max(0));
        One("max/1_keepdim", x => x["x"].Max(1, keepDim: true));
        One("max/-1", x => x["x"].Max(-1));
        One("max/everything", x => x["x"].Max());

        // ---- softmax
        foreach (var axis in new[] { 0, 1, 2 })
        {
            One($"softmax/{axis}", x => x["x"].Softmax(axis));
            One($"log_softmax/{axis}", x => x["x"].LogSoftmax(axis));
        }
        One("softmax/transposed", x => x["x"].T.Softmax(-1));
        One("softmax/masked", x => x["x"].MaskedFill(x["mask"], float.NegativeInfinity).Softmax(-1));
        One("log_softmax/large_logits", x => x["x"].LogSoftmax(-1));

        // ---- layer norm
        One("layer_norm/plain", x => x["x"].LayerNorm());
        One("layer_norm/weight", x => x["x"].LayerNorm(x["w"]));
        One("layer_norm/affine", x => x["x"].LayerNorm(x["w"], x["b"]));
        One("layer_norm/transposed_eps", x => x["x"].T.LayerNorm(x["w"], x["b"], eps: 0.1f));

        // ---- matrix products
        foreach (var name in new[] { "2d", "batched", "broadcast_batch", "matrix_on_batch", "vector_matrix", "matrix_vector", "vector_batch", "dot", "long_inner" })
            One($"matmul/{name}", x => x["input"].MatMul(x["other"]));
        One("matmul/transposed", x => x["a"].T.MatMul(x["b"].Transpose(-1, -2)));
        One("linear/bias", x => x["input"].Linear(x["weight"], x["bias"]));
        One("linear/no_bias_3d", x => x["input"].Linear(x["weight"]));
        One("linear/transposed_weight", x => x["x"].T.Linear(x["w"].T, x["b"]));

        // ---- indexing
        One("embedding", x => x["table"].Embedding(x.Index("ids")));
        One("index_select/0", x => x["x"].IndexSelect(0, x.Index("index")));
        One("index_select/1", x => x["x"].IndexSelect(1, x.Index("index")));
        One("gather/0", x => x["x"].Gather(0, x.Index("index")));
        One("gather/1", x => x["x"].Gather(1, x.Index("index")));
        One("scatter_add/0", x => x["x"].ScatterAdd(0, x.Index("index"), x["source"]));
        One("scatter_add/1", x => x["x"].ScatterAdd(1, x.Index("index"), x["source"]));
        One("index_add/0", x => x["x"].IndexAdd(0, x.Index("index"), x["source"]));
        One("index_add/1", x => x["x"].IndexAdd(1, x.Index("index"), x["source"]));
        One("topk/largest", x => x["x"].TopK(2).Values);
        One("topk/smallest", x => x["x"].TopK(2, largest: false).Values);
        One("topk/axis0", x => x["x"].TopK(2, axis: 0).Values);
        One("where", x => Tensor.Where(x["condition"], x["a"], x["b"]));
        One("masked_fill", x => x["x"].MaskedFill(x["mask"], -2.5f));
        One("one_hot", x => Tensor.OneHot(x.Index("classes"), 4, x.Device));

        // ---- losses
        foreach (var smoothing in new[] { 0f, 0.1f })
            One(FormattableString.Invariant($"cross_entropy/rows/{smoothing}"), x => Losses.CrossEntropy(x["logits"], x.Index("targets"), labelSmoothing: smoothing));
        foreach (var smoothing in new[] { 0f, 0.2f })
            One(FormattableString.Invariant($"cross_entropy/sequence_ignore/{smoothing}"), x => Losses.CrossEntropy(x["logits"], x.Index("targets"), labelSmoothing: smoothing));
        One("cross_entropy/custom_ignore_transposed", x => Losses.CrossEntropy(x["logits"].T, x.Index("targets"), ignoreIndex: 3));
        One("mse", x => Losses.Mse(x["input"], x["target"]));
        One("bce_with_logits", x => Losses.BinaryCrossEntropyWithLogits(x["input"], x["target"]));

        // ---- joining
        foreach (var axis in new[] { 0, 1, -1 }) One($"cat/{axis}", x => Tensor.Cat([x["a"], x["b"], x["c"]], axis));
        One("cat/transposed_and_repeated", x => Tensor.Cat([x["a"].T, x["b"], x["b"]], 0));
        foreach (var axis in new[] { 0, 1, 2 }) One($"stack/{axis}", x => Tensor.Stack([x["a"], x["b"]], axis));
        Many("split", x => x["x"].Split([1, 3, 2], axis: 1));
        Many("chunk", x => x["x"].Chunk(3));

        // ---- views
        One("reshape", x => x["x"].Reshape(3, -1));
        One("reshape/transposed", x => x["x"].T.Reshape(-1));
        One("transpose", x => x["x"].Transpose(0, 2));
        One("permute", x => x["x"].Permute(2, 0, 1));
        One("narrow", x => x["x"].Narrow(1, 1, 2));
        One("narrow/from_end", x => x["x"].Narrow(0, -2, 2));
        One("expand", x => x["x"].Expand(2, 3, 4));
        One("contiguous", x => x["x"].Permute(1, 0, 2).Contiguous());
        Many("unsqueeze_squeeze", x => [x["x"].Unsqueeze(1), x["x"].Unsqueeze(-1), x["y"].Squeeze(1)]);
        One("flatten", x => x["x"].Flatten(1));
        One("clone", x => x["x"].Clone());
        return ops;
    }
}
