namespace Modular.Reports;

/// <summary>Something that can describe its module tree, such as a model; <c>#!modular-summary</c> and notebook display use it.</summary>
public interface IModelSummarySource
{
    /// <summary>A summary of the current module tree and what trains.</summary>
    ModelSummary Summarize();
}
