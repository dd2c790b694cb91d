namespace Modular.Training;

/// <summary>How the trainer runs: length, evaluation, early stopping, checkpoints, clipping, seeding.</summary>
public sealed record TrainerOptions
{
    /// <summary>Epochs to train (ignored once <see cref="MaxSteps"/> is reached).</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Stop after this many optimisation steps in all (≥ 1); null = no limit.</summary>
    public int? MaxSteps { get; init; }

    /// <summary>Evaluate every this many steps (≥ 1); null = at the end of each epoch.</summary>
    public int? EvaluateEvery { get; init; }

    /// <summary>Stop when the primary evaluation metric has not improved for this many evaluations (≥ 1); null = never.</summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>Clip the global gradient norm to this value (finite, &gt; 0); null = no clipping.</summary>
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

    /// <summary>
    /// The divergence rule: a training or evaluation loss above this many times the run's first training loss (or
    /// times 1, if that was below 1) ends the run with a <see cref="TrainingDivergedException"/>, as any NaN or
    /// infinite loss, gradient or metric always does. A loss 100 times its start is not a result but a learning rate
    /// far too high; null = only non-finite values count as divergence.
    /// </summary>
    public double? DivergenceFactor { get; init; } = 100;

    /// <summary>Read a resumed checkpoint even if it holds NaN or infinite values (refused by default with a <see cref="NonFiniteValueException"/>).</summary>
    public bool AllowNonFiniteCheckpoint { get; init; }

    /// <summary>Every setting in its valid range, or a <see cref="ConfigurationException"/> naming the setting, its value and what is allowed.</summary>
    internal void Validate()
    {
        if (Epochs < 1) throw Invalid(nameof(Epochs), Epochs, "must be ≥ 1");
        if (MaxSteps is < 1) throw Invalid(nameof(MaxSteps), MaxSteps, "must be ≥ 1, or null for no limit; a run of no steps trains nothing (call Trainer.Evaluate to only evaluate)");
        if (EvaluateEvery is < 1) throw Invalid(nameof(EvaluateEvery), EvaluateEvery, "must be ≥ 1 (evaluate every that many steps), or null to evaluate at the end of each epoch");
        if (EarlyStoppingPatience is < 1) throw Invalid(nameof(EarlyStoppingPatience), EarlyStoppingPatience, "must be ≥ 1 evaluations, or null to never stop early");
        if (ClipGradientNorm is { } clip && !(clip > 0 && float.IsFinite(clip))) throw Invalid(nameof(ClipGradientNorm), clip, "must be a finite number > 0, or null for no clipping");
        if (DivergenceFactor is { } factor && !(factor > 1 && double.IsFinite(factor))) throw Invalid(nameof(DivergenceFactor), factor, "must be a finite number > 1, or null to count only NaN and infinite values as divergence");
        if (CheckpointPath is { Length: 0 }) throw Invalid(nameof(CheckpointPath), "\"\"", "must be a file path, or null for no checkpoints");
        if (Resume && CheckpointPath is null) throw Invalid(nameof(Resume), Resume, "needs a CheckpointPath to resume from");
        if (string.IsNullOrWhiteSpace(RunName)) throw Invalid(nameof(RunName), $"'{RunName}'", "must name the run (it labels histories and progress)");
        if (GroupNames is { } names && names.Any(string.IsNullOrEmpty)) throw Invalid(nameof(GroupNames), "a list with an empty name", "must name every group");
    }

    private static ConfigurationException Invalid(string setting, object? value, string rule) =>
        new(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"TrainerOptions.{setting} = {value ?? "null"}: it {rule}."));
}
