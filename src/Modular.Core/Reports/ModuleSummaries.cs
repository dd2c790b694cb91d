using Modular.NN;

namespace Modular.Reports;

/// <summary>Summaries of module trees: each node's type, parameters and what trains (NN knows nothing of reports; this reads its trees).</summary>
public static class ModuleSummaries
{
    /// <summary>The module tree of <paramref name="module"/> with each node's type, parameters and what trains.</summary>
    public static ModelSummary Summarize(this Module module) => Summarize(module, _ => null);

    /// <summary>The same, marking the nodes <paramref name="attachedName"/> names as attached modules (summaries highlight them).</summary>
    public static ModelSummary Summarize(Module module, Func<Module, string?> attachedName)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(attachedName);
        return new(Node(module, "", new HashSet<Parameter>(ReferenceEqualityComparer.Instance), attachedName)) { Title = module.GetType().Name };
    }

    // A parameter shared by several modules (a hypernetwork, a prefix generator) is listed where it is first met, so totals count it once.
    private static ModelSummaryNode Node(Module module, string path, HashSet<Parameter> seen, Func<Module, string?> attachedName) =>
        new(path, module.Description.Length == 0 ? module.GetType().Name : $"{module.GetType().Name}({module.Description})",
            module.DirectParameters.Where(p => seen.Add(p.Parameter)).Select(p => new ParameterInfo(p.Name, p.Parameter.Shape, p.Parameter.Trainable)).ToList(),
            module.Children.Select(c => Node(c.Child, path.Length == 0 ? c.Name : $"{path}.{c.Name}", seen, attachedName)).ToList())
        { AttachedModuleName = attachedName(module) };
}
