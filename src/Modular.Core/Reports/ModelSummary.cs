using System.Globalization;

namespace Modular.Reports;

/// <summary>A model's module tree with types, shapes, parameter counts and what trains, for display as a collapsible tree.</summary>
[TypeFormatterSource(ReportFormatting.FormatterSource)]
public sealed class ModelSummary
{
    /// <summary>Creates a summary of the tree under <paramref name="root"/> (whose path must be empty).</summary>
    public ModelSummary(ModelSummaryNode root)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (root.Path.Length != 0) throw new ReportDataException($"The root of a model summary has an empty path, not '{root.Path}'.");
        Root = root;
    }

    /// <summary>The model itself.</summary>
    public ModelSummaryNode Root { get; }

    /// <summary>Heading shown above the tree, e.g. the model's variable name.</summary>
    public string? Title { get; init; }

    /// <summary>Parameters of the whole model.</summary>
    public long ParameterCount => Root.ParameterCount;

    /// <summary>Parameters that train.</summary>
    public long TrainableCount => Root.TrainableCount;

    /// <summary>One line saying how much of the model trains, e.g. "33,282 of 3,464,706 parameters train (0.96%)".</summary>
    public string Headline => string.Create(CultureInfo.InvariantCulture,
        $"{TrainableCount:N0} of {ParameterCount:N0} parameters train ({(ParameterCount == 0 ? 0 : 100.0 * TrainableCount / ParameterCount):0.##}%)");

    /// <summary>Every node, depth first, root first.</summary>
    public IEnumerable<ModelSummaryNode> Nodes()
    {
        var pending = new Stack<ModelSummaryNode>([Root]);
        while (pending.TryPop(out var node))
        {
            yield return node;
            for (int i = node.Children.Count - 1; i >= 0; i--) pending.Push(node.Children[i]);
        }
    }
}
