namespace Modular.Training;

/// <summary>How a multi-task source draws tasks for each example.</summary>
public enum TaskSampling
{
    /// <summary>Every task equally often, whatever its size (small tasks are revisited).</summary>
    Balanced,

    /// <summary>Tasks in proportion to their number of examples: each epoch visits every example once, all tasks shuffled together.</summary>
    Proportional,
}
