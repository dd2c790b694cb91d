using Modular.Aggregation;
using Modular.Computation;
using Modular.Optim;
using Modular.Reports;
using Modular.Routing;

namespace Modular.CaseStudies;

/// <summary>
/// Polytropon (Ponti et al., 2022), the multi-task case study: an inventory of LoRA skills attached to the base's
/// linear layers and a learned task × skill allocation Z. In training each example of task t draws a relaxed
/// Bernoulli allocation ẑ = σ((z_t + logistic noise)/τ), at evaluation ẑ = σ(z_t); rows are normalised, and the task
/// runs with the skills' parameters averaged with those weights (parameter aggregation). Z learns with a higher rate.
/// </summary>
public sealed class Polytropon
{
    private Polytropon(ModularModel model, Mixture mixture, IReadOnlyList<string> skills)
    {
        Model = model;
        Mixture = mixture;
        Skills = skills;
    }

    /// <summary>The model with the skills attached and the mixture active.</summary>
    public ModularModel Model { get; }

    /// <summary>The composition: Polytropon routing over the skills with parameter aggregation.</summary>
    public Mixture Mixture { get; }

    /// <summary>The skills' module names.</summary>
    public IReadOnlyList<string> Skills { get; }

    /// <summary>
    /// Attaches <paramref name="skills"/> LoRA skills of rank <paramref name="rank"/> at <paramref name="targets"/> and
    /// makes them a Polytropon mixture over <paramref name="tasks"/> tasks (ids from metadata "task"). With
    /// <see cref="RoutingLevel.NaiveGlobal"/> one allocation matrix serves every layer; with
    /// <see cref="RoutingLevel.LayerWise"/> each adapted layer learns its own, as in the paper's implementation.
    /// Trains the skills, the allocation and the layers matching <paramref name="alsoTrain"/> (e.g. the head).
    /// </summary>
    public static Polytropon Build(ModularModel model, int tasks, int skills = 8, int rank = 4,
        string targets = "layers.*.attention.query|value, layers.*.feedForward.up|down", RoutingLevel level = RoutingLevel.NaiveGlobal, int seed = 0, params string[] alsoTrain)
    {
        ArgumentNullException.ThrowIfNull(model);
        var names = Enumerable.Range(0, skills).Select(i => $"skill{i}").ToList();
        foreach (var name in names) model.Attach(targets, new LoRA(rank, alpha: 2 * rank), name);
        var mixture = new Mixture(Routing.Routers.Polytropon(tasks), names, level, RoutingGranularity.Example, MixtureAggregation.Parameters, seed);
        model.Active = mixture;
        model.TrainOnly([.. names, .. alsoTrain]).TrainComposition();
        return new Polytropon(model, mixture, names);
    }

    /// <summary>The allocation routers (one when naive-global, one per adapted layer when layer-wise).</summary>
    public IReadOnlyList<PolytroponRouter> AllocationRouters => Mixture.RoutersOf(Model).Cast<PolytroponRouter>().ToList();

    /// <summary>AdamW with the allocation in its own group (higher rate, no weight decay) and the trainable rest at <paramref name="learningRate"/>.</summary>
    public AdamW Optimizer(float learningRate = 3e-3f, float allocationLearningRate = 0.1f)
    {
        var allocation = Model.StateOf(Mixture).Parameters.ToHashSet();
        var optimizer = new AdamW(learningRate);
        // no weight decay on Z: it would pull every task's logits (also those of tasks absent from a batch) towards 0
        optimizer.AddGroup(new ParameterGroup(allocation.Where(p => p.Trainable), allocationLearningRate, weightDecay: 0f, name: "allocation"));
        optimizer.Add(Model.Base.TrainableParameters().Where(p => !allocation.Contains(p)), name: "skills and head");
        return optimizer;
    }

    /// <summary>σ(Z) as a tasks × skills heatmap (averaged over layers when layer-wise); rows named by <paramref name="taskNames"/>.</summary>
    public Heatmap Allocation(IReadOnlyList<string> taskNames, IReadOnlyList<int>? rows = null)
    {
        ArgumentNullException.ThrowIfNull(taskNames);
        var routers = AllocationRouters;
        var chosen = rows ?? Enumerable.Range(0, routers[0].Tasks).ToList();
        var values = new double[chosen.Count, Skills.Count];
        foreach (var router in routers)
        {
            var a = router.Allocation();
            for (int r = 0; r < chosen.Count; r++)
                for (int s = 0; s < Skills.Count; s++) values[r, s] += a[chosen[r], s] / routers.Count;
        }
        return new Heatmap(values, chosen.Select(t => taskNames[t]).ToList(), Skills)
        {
            Title = "Task × skill allocation σ(Z)",
            RowAxisName = "task",
            ColumnAxisName = "skill",
            ValueFormat = "0.00",
            Minimum = 0,
            Maximum = 1,
        };
    }

    /// <summary>Lets only the allocation train (few-shot adaptation of a new task's row), or the allocation and the skills.</summary>
    public void TrainAllocation(bool alsoSkills, params string[] alsoTrain)
    {
        Model.TrainOnly(alsoSkills ? [.. Skills, .. alsoTrain] : alsoTrain).TrainComposition();
    }
}
