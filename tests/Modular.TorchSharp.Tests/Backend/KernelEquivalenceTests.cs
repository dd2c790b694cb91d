using Modular.NN;
using Modular.Optim;
using Modular.Tensors;
using static Modular.TorchSharp.Tests.Backend.BothDevices;

namespace Modular.TorchSharp.Tests.Backend;

/// <summary>Every kernel of the Backend interface, forward and backward, on libtorch equals the CPU engine (see <see cref="BothDevices"/>).</summary>
public class KernelEquivalenceTests
{
    public static TheoryData<string> UnaryNames => ["Neg", "Exp", "Log", "Sqrt", "Pow", "Square", "Abs", "Clamp", "Relu", "Gelu", "Tanh", "Sigmoid", "Softplus", "AddScalar", "MulScalar"];

    private static Tensor ApplyUnary(string name, Tensor x) => name switch
    {
        "Neg" => x.Neg(), "Exp" => x.Exp(), "Log" => x.Log(), "Sqrt" => x.Sqrt(), "Pow" => x.Pow(3f), "Square" => x.Square(),
        "Abs" => x.Abs(), "Clamp" => x.Clamp(-0.5f, 0.7f), "Relu" => x.Relu(), "Gelu" => x.Gelu(), "Tanh" => x.Tanh(),
        "Sigmoid" => x.Sigmoid(), "Softplus" => x.Softplus(), "AddScalar" => x.Add(0.25f), "MulScalar" => x.Mul(-1.5f),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(UnaryNames))]
    public void Unary_functions_and_their_gradients_agree_on_a_transposed_view(string name)
    {
        bool positive = name is "Log" or "Sqrt";
        int[][] shapes = [[6, 5]];
        Agree(t => ApplyUnary(name, t[0].Transpose(0, 1)), shapes, Inputs(3, positive ? 0.1f : -2f, 2f, shapes));
    }

    [Theory]
    [InlineData("Add")]
    [InlineData("Sub")]
    [InlineData("Mul")]
    [InlineData("Div")]
    [InlineData("Maximum")]
    [InlineData("Minimum")]
    public void Binary_functions_broadcast_and_differentiate_alike(string name)
    {
        int[][] shapes = [[3, 1, 5], [4, 5]];
        var values = Inputs(5, 0.2f, 2f, shapes);
        Agree(t => name switch
        {
            "Add" => t[0].Add(t[1]), "Sub" => t[0].Sub(t[1]), "Mul" => t[0].Mul(t[1]), "Div" => t[0].Div(t[1]),
            "Maximum" => t[0].Maximum(t[1]), _ => t[0].Minimum(t[1]),
        }, shapes, values);
    }

    [Fact]
    public void Where_and_masked_fill_agree()
    {
        int[][] shapes = [[4, 6], [1, 6]];
        float[] condition = [.. Enumerable.Range(0, 24).Select(i => i % 3 == 0 ? 1f : 0f)];
        float[] mask = [1, 0, 0, 1, 1, 0];
        Agree(t => Tensor.Where(Tensor.FromArray(condition, [4, 6], t[0].Device), t[0], t[1])
            .Add(t[0].MaskedFill(Tensor.FromArray(mask, [1, 6], t[0].Device), 3f)), shapes);
    }

    [Fact]
    public void Reductions_agree_along_every_axis()
    {
        int[][] shapes = [[3, 4, 5]];
        Agree(t => Tensor.Cat([t[0].Sum(0).Reshape(-1), t[0].Sum(1).Reshape(-1), t[0].Mean(2).Reshape(-1), t[0].Sum().Reshape(1), t[0].Max(1).Reshape(-1), t[0].LogSumExp(2).Reshape(-1)]), shapes);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public void Softmax_and_log_softmax_agree_along_an_axis(int axis)
    {
        int[][] shapes = [[2, 5, 7]];
        Agree(t => Tensor.Cat([t[0].Softmax(axis).Reshape(-1), t[0].LogSoftmax(axis).Reshape(-1)]), shapes);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Layer_norm_agrees_with_and_without_an_affine_map(bool affine)
    {
        int[][] shapes = [[6, 16], [16], [16]];
        Agree(t => affine ? t[0].LayerNorm(t[1], t[2]) : t[0].LayerNorm(), shapes);
    }

    // libtorch's backward asks its autograd only for the gradients the tape wants; each subset must come out right.
    [Theory]
    [InlineData("frozen input")]
    [InlineData("frozen weight")]
    [InlineData("frozen bias")]
    [InlineData("weight only")]
    [InlineData("large eps")]
    public void Layer_norm_gradients_agree_for_every_subset_of_its_inputs(string variant)
    {
        int[][] shapes = [[5, 12], [12], [12]];
        Agree(t => variant switch
        {
            "frozen input" => t[0].Detach().LayerNorm(t[1], t[2]),
            "frozen weight" => t[0].LayerNorm(t[1].Detach(), t[2]),
            "frozen bias" => t[0].LayerNorm(t[1], t[2].Detach()),
            "weight only" => t[0].LayerNorm(t[1]),
            _ => t[0].LayerNorm(t[1], t[2], eps: 0.5f),
        }, shapes);
    }

    [Fact]
    public void Products_agree_for_transposed_broadcast_and_batched_operands()
    {
        int[][] shapes = [[2, 3, 4, 5], [6, 5], [4, 7], [7]];
        Agree(t => Tensor.Cat([
            t[0].MatMul(t[1].Transpose(0, 1)).Reshape(-1),
            t[0].Transpose(2, 3).MatMul(t[0]).Reshape(-1),
            t[0].Reshape(24, 5).Linear(t[1]).Reshape(-1),
            t[2].Transpose(0, 1).Linear(t[2].Transpose(0, 1), t[3]).Reshape(-1),
        ]), shapes);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Attention_agrees_with_heads_and_a_key_mask(bool masked)
    {
        int[][] shapes = [[2, 5, 8], [2, 6, 8], [2, 6, 8]];
        float[] mask = [1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0];
        Agree(t => Tensor.ScaledDotProductAttention(t[0], t[1], t[2], heads: 2, keyMask: masked ? Tensor.FromArray(mask, [2, 6], t[0].Device) : null), shapes);
    }

    /// <summary>Attention's backward with only some inputs wanting gradients (bits of <paramref name="wanted"/>: 1 query, 2 key, 4 value).</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(3)]
    [InlineData(6)]
    public void Attention_agrees_when_only_some_inputs_want_gradients(int wanted)
    {
        int[][] shapes = [[2, 5, 8], [2, 6, 8], [2, 6, 8]];
        Agree(t => Tensor.ScaledDotProductAttention(Want(t[0], 1), Want(t[1], 2), Want(t[2], 4), heads: 2), shapes);
        Tensor Want(Tensor input, int bit) => (wanted & bit) != 0 ? input : input.Detach();
    }

    [Fact]
    public void Gathers_and_scatters_agree_with_repeated_indices()
    {
        int[][] shapes = [[5, 4], [3, 5, 2], [2, 4]];
        var rows = IntTensor.FromArray([4, 0, 4, 2]);
        var perElement = IntTensor.FromArray([0, 4, 4, 1, 2, 2, 3, 0, 1, 1, 0, 4, 4, 3, 2, 2, 1, 0], 3, 3, 2);
        var into = IntTensor.FromArray([3, 3]);
        Agree(t => Tensor.Cat([
            t[0].Embedding(rows).Reshape(-1),
            t[1].IndexSelect(1, rows).Reshape(-1),
            t[1].Gather(1, perElement).Reshape(-1),
            t[0].IndexAdd(0, into, t[2]).Reshape(-1),
            t[1].ScatterAdd(1, perElement, t[1].Narrow(1, 0, 3)).Reshape(-1),
        ]), shapes);
    }

    [Fact]
    public void Top_k_chooses_the_same_indices_on_ties_and_differentiates_alike()
    {
        // the second row ties everywhere: both backends must keep the first indices first
        float[] values = [0.3f, 0.9f, 0.1f, 0.9f, 0.5f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f, -1f, 2f, 0.5f, 2f, 0.4f];
        int[][] shapes = [[3, 5]];
        int[] Chosen(Device device, bool largest)
        {
            using var scope = TensorScope.Begin();
            return Tensor.FromArray(values, [3, 5], device).TopK(3, largest: largest).Indices.ToArray();
        }
        foreach (bool largest in new[] { true, false }) Assert.Equal(Chosen(Device.Cpu, largest), Chosen(Torch, largest));
        Assert.Equal([1, 3, 4, 0, 1, 2, 1, 3, 2], Chosen(Torch, true));
        Agree(t => t[0].TopK(2).Values.Add(t[0].TopK(2, axis: 0, largest: false).Values.Sum()), shapes, [values]);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.1f)]
    public void Cross_entropy_agrees_with_ignored_rows_and_label_smoothing(float smoothing)
    {
        int[][] shapes = [[5, 7]];
        var targets = IntTensor.FromArray([3, -100, 0, 6, 3]);
        Agree(t => Losses.CrossEntropy(t[0].Mul(2f), targets, labelSmoothing: smoothing).Reshape(1), shapes);
    }

    [Fact]
    public void Views_joins_and_copies_agree()
    {
        int[][] shapes = [[2, 3, 4], [2, 1, 4]];
        Agree(t => Tensor.Cat([
            t[0].Permute(2, 0, 1).Contiguous().Reshape(-1),
            t[0].Narrow(2, 1, 2).Mul(t[1].Expand(2, 3, 4).Narrow(2, 0, 2)).Reshape(-1),
            Tensor.Stack([t[0].Narrow(1, 0, 1), t[1]], axis: 1).Reshape(-1),
            Tensor.Cat([t[0], t[1]], axis: 1).Transpose(0, 2).Clone().Reshape(-1),
        ]), shapes);
    }

    [Fact]
    public void Empty_tensors_pass_through_every_kind_of_kernel()
    {
        int[][] shapes = [[0, 4], [3, 4], [0, 6]];
        var output = Agree(t => Tensor.Cat([
            t[0].MatMul(t[1].Transpose(0, 1)).Reshape(-1),
            t[0].Softmax().Exp().Reshape(-1),
            t[0].LayerNorm().Reshape(-1),
            t[2].Sum(0),
            t[0].Linear(t[1]).Sum(0),
        ]), shapes);
        Assert.Equal(new float[6 + 3], output);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Adam_and_adamw_steps_and_gradient_norms_agree(bool decoupled)
    {
        var (cpu, cpuNorms) = Train(Device.Cpu, decoupled);
        var (torch, torchNorms) = Train(Torch, decoupled);
        AssertClose(cpu, torch, "parameters after 5 steps");
        AssertClose(cpuNorms, torchNorms, "gradient norms");
    }

    private static (float[] Parameters, float[] Norms) Train(Device device, bool decoupled)
    {
        var initial = Inputs(11, -1f, 1f, [4, 3])[0];
        var weight = new Parameter(Tensor.FromArray(initial, [4, 3], device));
        Adam optimiser = decoupled ? new AdamW(lr: 0.05f, weightDecay: 0.1f, parameters: [weight]) : new Adam(lr: 0.05f, weightDecay: 0.01f, parameters: [weight]);
        var norms = new List<float>();
        var input = Inputs(12, -1f, 1f, [5, 3])[0];
        for (int step = 0; step < 5; step++)
        {
            using var scope = TensorScope.Begin();
            Tensor.FromArray(input, [5, 3], device).Linear(weight).Tanh().Square().Sum().Backward();
            norms.Add(GradientClipping.ClipGlobalNorm([weight], maxNorm: 0.5f));
            optimiser.Step();
            optimiser.ZeroGrad();
        }
        return (weight.ToArray(), [.. norms]);
    }
}
