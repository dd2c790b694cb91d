namespace Modular.Training;

/// <summary>One task learned in a continual-learning sequence: its training run and the forgetting on the tasks before it.</summary>
public sealed record ContinualLearningStep(string Task, TrainingResult Training, IReadOnlyList<TaskForgetting> Forgetting)
{
    /// <summary>The mean forgetting over the earlier tasks (0 for the first task).</summary>
    public double MeanForgetting => Forgetting.Count == 0 ? 0 : Forgetting.Average(f => f.Forgetting);
}
