namespace Modular.Interactive.Notebook;

/// <summary>The magic commands the notebook extension registers.</summary>
public static class MagicCommands
{
    /// <summary><c>#!modular-summary</c>.</summary>
    public static MagicCommand ModelSummary { get; } = new ModelSummaryCommand();

    /// <summary><c>#!routing-heatmap</c>.</summary>
    public static MagicCommand RoutingHeatmap { get; } = new RoutingHeatmapCommand();

    /// <summary><c>#!peft-table</c>.</summary>
    public static MagicCommand PeftTable { get; } = new PeftTableCommand();

    /// <summary><c>#!modular-train</c>.</summary>
    public static MagicCommand Train { get; } = new TrainProgressCommand();

    /// <summary>All of them, in the order they are registered.</summary>
    public static IReadOnlyList<MagicCommand> All { get; } = [ModelSummary, RoutingHeatmap, PeftTable, Train];
}
