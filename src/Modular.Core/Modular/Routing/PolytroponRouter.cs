using Modular.NN;
using Modular.Tensors;

namespace Modular.Routing;

/// <summary>
/// Polytropon's task–skill allocation (Ponti et al., 2022): learned logits Z ∈ ℝ^{tasks×skills}. While training,
/// each example of task t draws ẑ = σ((z_t + log u − log(1 − u))/τ), u ~ U(0, 1) (a relaxed Bernoulli; note
/// log σ(z) − log(1 − σ(z)) = z); at evaluation ẑ = σ(z_t). The weights are ẑ/Σⱼ ẑⱼ, so the task's module is the
/// average Σⱼ ẑⱼΦⱼ / Σⱼ ẑⱼ of its allocated skills. Z usually learns with a higher learning rate.
/// </summary>
public sealed class PolytroponRouter : Router
{
    private readonly Rng rng;

    /// <summary>Creates Z for <paramref name="tasks"/> × <paramref name="skills"/>, initialised U(−10⁻³, 10⁻³); task ids come from metadata <paramref name="taskKey"/>.</summary>
    public PolytroponRouter(int tasks, int skills, Rng rng, string taskKey = "task", float temperature = 1f)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (tasks < 1 || skills < 1) throw new ConfigurationException($"PolytroponRouter: tasks ({tasks}) and skills ({skills}) must be ≥ 1.");
        if (!(temperature > 0f)) throw new ConfigurationException($"PolytroponRouter: temperature {temperature} must be > 0.");
        this.rng = rng.Fork();
        TaskKey = taskKey;
        Temperature = temperature;
        using var z = Tensor.Uniform(rng, -1e-3f, 1e-3f, tasks, skills);
        Logits = AddParameter("allocation", z);
    }

    /// <summary>Z [tasks, skills].</summary>
    public Parameter Logits { get; }

    /// <summary>Metadata key of the task id.</summary>
    public string TaskKey { get; }

    /// <summary>τ of the relaxed Bernoulli.</summary>
    public float Temperature { get; }

    /// <summary>Number of tasks.</summary>
    public int Tasks => Logits.Size(0);

    /// <inheritdoc/>
    public override int ModuleCount => Logits.Size(1);

    /// <inheritdoc/>
    public override string Description => $"{Tasks} tasks × {ModuleCount} skills";

    /// <summary>σ(Z), the evaluation-time allocation [tasks, skills] (not normalised).</summary>
    public float[,] Allocation()
    {
        using var probabilities = Logits.Detach().Sigmoid();
        var result = new float[Tasks, ModuleCount];
        for (int t = 0; t < Tasks; t++)
            for (int s = 0; s < ModuleCount; s++) result[t, s] = probabilities[t, s];
        return result;
    }

    /// <inheritdoc/>
    public override RoutingDecision Route(Tensor features)
    {
        var context = ForwardContext.Current ?? throw new ConfigurationException($"PolytroponRouter routes by the batch's '{TaskKey}' ids; run the model with metadata (ModularModel.Forward or ForwardContext.Begin).");
        var ids = context.Ids(TaskKey);
        foreach (var id in ids)
            if ((uint)id >= (uint)Tasks) throw new IndexOutOfRangeModularException($"PolytroponRouter: task id {id} is outside [0, {Tasks}); the allocation matrix has {Tasks} tasks.");
        var z = Logits.IndexSelect(0, IntTensor.FromArray(ids));
        Tensor allocation;
        if (Training)
        {
            var u = Tensor.Uniform(ForwardContext.RandomOr(rng), 1e-6f, 1f - 1e-6f, z.Shape.ToArray()).To(z.Device);
            var logistic = u.Log().Sub(u.Neg().Add(1f).Log());
            allocation = z.Add(logistic).Mul(1f / Temperature).Sigmoid();
        }
        else allocation = z.Sigmoid();
        var weights = allocation.Div(allocation.Sum(-1, keepDim: true).Add(1e-12f));
        return new RoutingDecision(weights, weights);
    }
}
