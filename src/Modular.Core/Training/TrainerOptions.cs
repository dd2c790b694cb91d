namespace Modular.Training;

/// <summary>How the trainer runs: length, evaluation, early stopping, checkpoints, clipping, seeding.</summary>
public sealed record TrainerOptions
{
    /// <summary>Epochs to train (ignored once <see cref="MaxSteps"/> is reached).</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Stop after this many optimisation steps in all; null = no limit.</summary>
    public int? MaxSteps { get; init; }

    /// <summary>Evaluate every this many steps; null = at the end of each epoch.</summary>
    public int? EvaluateEvery { get; init; }

    /// <summary>Stop when the primary evaluation metric has not improved for this many evaluations; null = never.</summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>Clip the global gradient norm to this value; null = no clipping.</summary>
    public float? ClipGradientNorm { get; init; }

    /// <summary>Write a checkpoint of the trainable parameters, the buffers and the optimiser here (atomically) at each evaluation, epoch end and the end; null = none.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Resume from the checkpoint at <see cref="CheckpointPath"/> if it exists.</summary>
    public bool Resume { get; init; }

    /// <summary>Seed of the per-step randomness (dropout, noisy routing): step s always draws the same numbers.</summary>
    public int Seed { get; init; }

    /// <summary>Metadata key whose ids split evaluation metrics (e.g. "task" for per-task accuracy); null = overall only.</summary>
    public string? GroupMetricsBy { get; init; }

    /// <summary>Names of the groups' ids, for metric names like "accuracy/de".</summary>
    public IReadOnlyList<string>? GroupNames { get; init; }

    /// <summary>Name of the run in histories and progress events.</summary>
    public string RunName { get; init; } = "run";
}
