using Modular.Tensors;

namespace Modular.Reports;

/// <summary>
/// One module in a <see cref="ModelSummary"/>: its dotted path, type, own parameters and children. Counts and
/// state cover the whole subtree, so a frozen layer with a LoRA attached reads as <see cref="ParameterState.Mixed"/>.
/// </summary>
public sealed class ModelSummaryNode
{
    /// <summary>
    /// Creates a node. The root's <paramref name="path"/> is empty; a child's is its parent's path, a dot and its own
    /// name ("layers.0.attention").
    /// </summary>
    public ModelSummaryNode(string path, string typeName, IEnumerable<ParameterInfo>? parameters = null, IEnumerable<ModelSummaryNode>? children = null)
    {
        Path = path ?? throw new ArgumentNullException(nameof(path));
        TypeName = Labels.Required(typeName, $"Module '{path}'");
        Parameters = [.. parameters ?? []];
        Children = [.. children ?? []];
        CheckDistinct(Parameters.Select(p => p.Name), "parameter");
        foreach (var child in Children)
        {
            string expected = path.Length == 0 ? child.Name : $"{path}.{child.Name}";
            if (child.Name.Length == 0 || child.Path != expected)
            {
                throw new ReportDataException(
                    $"Module '{child.Path}' is listed under '{path}' but its path is not '{path}{(path.Length == 0 ? "" : ".")}<name>'; build children with their full dotted paths.");
            }
        }
        CheckDistinct(Children.Select(c => c.Name), "child module");
        ParameterCount = Parameters.Sum(p => p.Count) + Children.Sum(c => c.ParameterCount);
        TrainableCount = Parameters.Where(p => p.Trainable).Sum(p => p.Count) + Children.Sum(c => c.TrainableCount);
    }

    /// <summary>Dotted path from the root, e.g. "layers.0.attention.query" (empty for the root).</summary>
    public string Path { get; }

    /// <summary>Last segment of the path, e.g. "query".</summary>
    public string Name => Path[(Path.LastIndexOf('.') + 1)..];

    /// <summary>The module's type, e.g. "Linear" or "LoRA".</summary>
    public string TypeName { get; }

    /// <summary>Parameters the module owns directly (not its children's).</summary>
    public IReadOnlyList<ParameterInfo> Parameters { get; }

    /// <summary>Sub-modules, in registration order.</summary>
    public IReadOnlyList<ModelSummaryNode> Children { get; }

    /// <summary>Shape of the module's output for the example input it was summarised with, if one was run.</summary>
    public TensorShape? OutputShape { get; init; }

    /// <summary>Name under which a modular module (a LoRA, an adapter) was attached to the base model, e.g. "sentiment"; null for base modules.</summary>
    public string? AttachedModuleName { get; init; }

    /// <summary>Whether this node is a module attached to the base model rather than part of it.</summary>
    public bool IsAttachedModule => AttachedModuleName is not null;

    /// <summary>Whether this node or any descendant is an attached module.</summary>
    public bool ContainsAttachedModule => IsAttachedModule || Children.Any(c => c.ContainsAttachedModule);

    /// <summary>Parameters in the subtree.</summary>
    public long ParameterCount { get; }

    /// <summary>Trainable parameters in the subtree.</summary>
    public long TrainableCount { get; }

    /// <summary>Whether the subtree's parameters train.</summary>
    public ParameterState State => ParameterCount == 0 ? ParameterState.None
        : TrainableCount == ParameterCount ? ParameterState.Trainable
        : TrainableCount == 0 ? ParameterState.Frozen
        : ParameterState.Mixed;

    private void CheckDistinct(IEnumerable<string> names, string kind)
    {
        if (names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new ReportDataException($"Module '{Path}' has two {kind}s named '{duplicate.Key}'; names under one module must be distinct.");
        }
    }
}
