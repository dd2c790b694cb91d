using Modular.Optim;

namespace Modular.Training;

/// <summary>
/// Continual learning with one module per task: each new task gets a fresh module that trains (with any shared parts
/// named in <see cref="AlsoTrain"/>, e.g. a head) while the base and every earlier module stay frozen, and each step
/// reports the forgetting — the primary metric on every earlier task just before and just after. A task runs with its
/// own module active, so with nothing shared in training the earlier tasks cannot be forgotten at all.
/// </summary>
public sealed class ContinualLearning
{
    private readonly ModularModel model;
    private readonly Func<Optimizer> optimizer;
    private readonly ITrainingObjective? objective;
    private readonly List<(string Module, IBatchSource Evaluation)> learned = [];

    /// <summary>
    /// Learns tasks on <paramref name="model"/>; <paramref name="optimizer"/> makes an empty optimiser for each task (the
    /// trainer fills it with what trains), <paramref name="options"/> configure each task's training.
    /// </summary>
    public ContinualLearning(ModularModel model, Func<Optimizer> optimizer, TrainerOptions? options = null, ITrainingObjective? objective = null, IReadOnlyList<string>? alsoTrain = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        this.model = model;
        this.optimizer = optimizer;
        this.objective = objective;
        Options = options ?? new TrainerOptions();
        AlsoTrain = alsoTrain ?? [];
    }

    /// <summary>How each task trains.</summary>
    public TrainerOptions Options { get; }

    /// <summary>Base layers (path patterns) that train with every task, such as a shared head; none by default.</summary>
    public IReadOnlyList<string> AlsoTrain { get; }

    /// <summary>The modules learned so far, one per task, in order.</summary>
    public IReadOnlyList<string> Tasks => learned.Select(t => t.Module).ToList();

    /// <summary>
    /// Attaches a module named <paramref name="task"/> made by <paramref name="spec"/> (at <paramref name="pattern"/>, or the
    /// spec's default targets), trains it on <paramref name="train"/> with everything else frozen except <see cref="AlsoTrain"/>,
    /// and measures every earlier task on its evaluation data before and after. <paramref name="evaluation"/> is kept to
    /// measure this task when later ones are learned. The new module is left active.
    /// </summary>
    public ContinualLearningStep Learn(string task, IModuleSpec spec, IBatchSource train, IBatchSource evaluation, string? pattern = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(evaluation);
        model.Attach(pattern, spec, task);
        model.TrainOnly([task, .. AlsoTrain]);
        var trainer = new Trainer(model, optimizer(), objective, Options with { RunName = task });
        var before = learned.Select(t => Measure(trainer, t.Module, t.Evaluation)).ToList();
        model.Active = task;
        var result = trainer.Fit(train, evaluation);
        var after = learned.Select(t => Measure(trainer, t.Module, t.Evaluation)).ToList();
        model.Active = task;
        learned.Add((task, evaluation));
        var forgetting = learned.SkipLast(1).Select((t, i) => new TaskForgetting(t.Module, before[i], after[i])).ToList();
        return new ContinualLearningStep(task, result, forgetting);
    }

    /// <summary>The primary metric on a task's evaluation data with that task's module active.</summary>
    private double Measure(Trainer trainer, string module, IBatchSource evaluation)
    {
        model.Active = module;
        return trainer.Evaluate(evaluation)[trainer.Objective.PrimaryMetric];
    }
}
