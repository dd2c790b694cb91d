namespace Modular.Training;

/// <summary>How much an earlier task's primary metric (e.g. accuracy) fell while a later task was learned.</summary>
public sealed record TaskForgetting(string Task, double Before, double After)
{
    /// <summary>Before − After: positive when the task was partly forgotten.</summary>
    public double Forgetting => Before - After;
}
