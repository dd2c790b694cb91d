namespace Modular.Reports;

/// <summary>
/// Where a training loop reports progress when its caller passed no sink. The training layer knows no console or
/// notebook; the host sets <see cref="Factory"/>: the notebook extension to a live display, a script to a console line.
/// </summary>
public static class AmbientProgress
{
    /// <summary>Creates a fresh sink for each training run; returning null (the default) reports nowhere.</summary>
    public static Func<IProgress<TrainingProgress>?> Factory { get; set; } = static () => null;

    /// <summary>A sink for a run that is starting, from <see cref="Factory"/>.</summary>
    public static IProgress<TrainingProgress>? Create() => Factory();
}
