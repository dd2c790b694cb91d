namespace Modular.Reports;

/// <summary>How <see cref="Heatmap.Normalize"/> rescales a matrix of non-negative values (routing counts, probabilities).</summary>
public enum HeatmapNormalization
{
    /// <summary>Values stay as they are.</summary>
    None,

    /// <summary>Each row sums to 1: e.g. the share of a task's routing that goes to each skill.</summary>
    Rows,

    /// <summary>Each column sums to 1: e.g. which inputs an expert serves.</summary>
    Columns,

    /// <summary>The whole matrix sums to 1.</summary>
    All,
}
