using Modular.Aggregation;
using Modular.Computation;
using Modular.NN;
using Modular.Routing;
using Modular.Tensors;
using Modular.Tensors.Autograd;
using Modular.Tests.Support;

namespace Modular.Tests.Routing;

/// <summary>
/// Polytropon's task × skill allocation (ARCHITECTURE.md §4), recomputed by hand in double precision: during training
/// ẑ = σ((log σ(z) − log(1−σ(z)) + log u − log(1−u))/τ) with u ~ U(0, 1) drawn from the forward pass's random source;
/// at evaluation ẑ = σ(z); rows normalised. The task's module is the LoRA with Σⱼ ẑⱼΦⱼ / Σⱼ ẑⱼ.
/// </summary>
public sealed class PolytroponRouterTests
{
    private static readonly float[,] Z =
    {
        { 2.0f, -1.0f, 0.5f, -3.0f },
        { -0.5f, 1.5f, 0.0f, 1.0f },
        { 0.3f, 0.3f, -2.0f, 4.0f },
    };

    private static readonly int[] TaskIds = [2, 0, 2, 1];

    private static PolytroponRouter Router(float temperature = 1f)
    {
        var router = new PolytroponRouter(tasks: 3, skills: 4, new Rng(0), temperature: temperature);
        using (GradMode.NoGrad()) router.Logits.Assign(Tensor.FromArray(Z));
        return router;
    }

    private static RoutingDecision Route(PolytroponRouter router, Rng? random = null)
    {
        using var context = ForwardContext.Begin(metadata: new Dictionary<string, int[]> { ["task"] = TaskIds }, random: random);
        return router.Route(Tensor.Zeros(TaskIds.Length, 1));
    }

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    /// <summary>The training-time allocation of ARCHITECTURE.md §4, term by term, with u drawn as U(10⁻⁶, 1 − 10⁻⁶) from <paramref name="seed"/>.</summary>
    private static double[,] TrainingAllocation(ulong seed, double temperature)
    {
        var random = new Rng(seed);
        var result = new double[TaskIds.Length, 4];
        for (int row = 0; row < TaskIds.Length; row++)
        {
            double sum = 0;
            for (int s = 0; s < 4; s++)
            {
                double u = 1e-6f + (1f - 1e-6f - 1e-6f) * random.NextFloat(); // the float arithmetic of Tensor.Uniform
                double sz = Sigmoid(Z[TaskIds[row], s]);
                result[row, s] = Sigmoid((Math.Log(sz) - Math.Log(1 - sz) + Math.Log(u) - Math.Log(1 - u)) / temperature);
                sum += result[row, s];
            }
            for (int s = 0; s < 4; s++) result[row, s] /= sum;
        }
        return result;
    }

    private static void AssertAllocation(double[,] expected, Tensor actual)
    {
        for (int row = 0; row < expected.GetLength(0); row++)
        {
            for (int s = 0; s < expected.GetLength(1); s++)
                Assert.True(Math.Abs(expected[row, s] - actual[row, s]) <= 1e-5 * expected[row, s] + 1e-7, $"[{row}, {s}]: {actual[row, s]:G9}, expected {expected[row, s]:G9}");
            Assert.Equal(1.0, actual.Narrow(0, row, 1).Sum().Item(), 1e-6);
        }
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(0.5f)]
    public void Training_allocations_are_normalised_relaxed_bernoulli_samples_of_sigma_z(float temperature)
    {
        var decision = Route(Router(temperature), new Rng(42));
        AssertAllocation(TrainingAllocation(42, temperature), decision.Weights);
        // the same task twice in one batch draws different noise
        Assert.NotEqual(decision.Weights[0, 0], decision.Weights[2, 0]);
    }

    [Fact]
    public void Evaluation_allocations_are_sigma_z_with_rows_normalised()
    {
        var router = Router();
        router.Eval();
        var expected = new double[TaskIds.Length, 4];
        for (int row = 0; row < TaskIds.Length; row++)
        {
            double sum = Enumerable.Range(0, 4).Sum(s => Sigmoid(Z[TaskIds[row], s]));
            for (int s = 0; s < 4; s++) expected[row, s] = Sigmoid(Z[TaskIds[row], s]) / sum;
        }
        AssertAllocation(expected, Route(router, new Rng(42)).Weights);
        Assert.Equal((float)Sigmoid(4.0), router.Allocation()[2, 3], 6);
    }

    [Fact]
    public void A_task_id_outside_the_matrix_is_rejected()
    {
        var router = Router();
        using var context = ForwardContext.Begin(metadata: new Dictionary<string, int[]> { ["task"] = [0, 3] });
        var error = Assert.Throws<IndexOutOfRangeModularException>(() => router.Route(Tensor.Zeros(2, 1)));
        Assert.Contains("task id 3 is outside [0, 3)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parameter_aggregation_equals_one_lora_with_the_allocation_weighted_average_of_the_skills()
    {
        var net = new Sequential(new Linear(5, 4, new Rng(1)));
        var model = net.WithModules(seed: 2);
        string[] skills = ["s0", "s1", "s2", "s3"];
        foreach (var skill in skills) model.Attach("0", new LoRA(rank: 2, alpha: 4f), skill);
        model.Attach("0", new LoRA(rank: 2, alpha: 4f), "average");
        ModuleValues.Randomize(net, new Rng(3));
        var mixture = new Mixture(Routers.Polytropon(tasks: 3), skills, granularity: RoutingGranularity.Example, aggregation: MixtureAggregation.Parameters);
        model.Active = mixture;
        var router = (PolytroponRouter)mixture.RoutersOf(model).Single();
        using (GradMode.NoGrad()) router.Logits.Assign(Tensor.FromArray(Z));
        net.Eval();

        var x = Tensor.Randn(new Rng(4), TaskIds.Length, 5);
        Tensor mixed;
        using (ForwardContext.Begin(metadata: new Dictionary<string, int[]> { ["task"] = TaskIds })) mixed = net.Forward(x);

        var loras = skills.Select(s => (LoRAModule)model.Get(s).Parts[0].Module).ToList();
        var average = (LoRAModule)model.Get("average").Parts[0].Module;
        for (int row = 0; row < TaskIds.Length; row++)
        {
            // Σⱼ ẑⱼΦⱼ / Σⱼ ẑⱼ for A and for B, with ẑ = σ(z) of the row's task
            var z = Enumerable.Range(0, 4).Select(s => Sigmoid(Z[TaskIds[row], s])).ToArray();
            using (GradMode.NoGrad())
            {
                average.A.Assign(WeightedAverage(loras.Select(l => (Tensor)l.A).ToList(), z));
                average.B.Assign(WeightedAverage(loras.Select(l => (Tensor)l.B).ToList(), z));
            }
            model.Active = "average";
            var expected = net.Forward(x.Narrow(0, row, 1).Contiguous());
            NnAssert.Close(mixed.Narrow(0, row, 1).Contiguous(), expected, 1e-5, 1e-6, $"row {row} (task {TaskIds[row]})");
            model.Active = mixture;
        }
    }

    private static Tensor WeightedAverage(IReadOnlyList<Tensor> tensors, double[] weights)
    {
        var values = new double[tensors[0].Count];
        for (int j = 0; j < tensors.Count; j++)
        {
            var t = tensors[j].ToArray();
            for (int i = 0; i < values.Length; i++) values[i] += weights[j] / weights.Sum() * t[i];
        }
        return Tensor.FromArray(values.Select(v => (float)v).ToArray(), tensors[0].Shape.ToArray());
    }
}
