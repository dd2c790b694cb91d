using Modular.NN;
using Modular.Reports;

namespace Modular;

/// <summary>What the attached modules cost, and the model as reports: its summary, its parameter-efficiency row, its routing.</summary>
public sealed partial class ModularModel
{
    /// <summary>What each attached module costs in parameters and bytes.</summary>
    public IReadOnlyList<ModuleAccount> ParameterAccounts() =>
        [.. modules.Values.Select(m => new ModuleAccount(m.Name, m.Method, m.Parts.Count, m.EffectiveParameterCount,
            m.OwnParameters.Sum(p => (long)p.Count), BaseParameterCount, this.FileSize(m.Name)))];

    /// <summary>The same costs summed per method (e.g. two LoRA modules give one LoRA row), in order of first appearance.</summary>
    public IReadOnlyList<ModuleAccount> ParameterAccountsByMethod() =>
        [.. ParameterAccounts().GroupBy(a => a.Method).Select(g => new ModuleAccount(string.Join(", ", g.Select(a => a.Name)), g.Key,
            g.Sum(a => a.Sites), g.Sum(a => a.TrainableParameters), g.Sum(a => a.StoredParameters), BaseParameterCount, g.Sum(a => a.Bytes)))];

    /// <summary>Trainable and total parameter counts: "33,282 of 3,464,706 parameters train (0.96%)".</summary>
    public override string ToString()
    {
        long total = Base.ParameterCount, trainable = Base.TrainableParameterCount;
        return $"{Base.GetType().Name} with {modules.Count} module{(modules.Count == 1 ? "" : "s")} ({string.Join(", ", modules.Values.Select(m => $"{m.Name}: {m.Method}{(m.IsMerged ? ", merged" : "")}"))}); active: {active?.ToString() ?? "none"}; {trainable:N0} of {total:N0} parameters train ({100.0 * trainable / Math.Max(1, total):0.##}%)";
    }


    /// <summary>The base model's tree with the attached modules marked, headed by what trains.</summary>
    public ModelSummary Summarize()
    {
        var attached = new Dictionary<Module, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, module) in sites.Values.SelectMany(s => s.Inventory)) attached[module] = name;
        return new(ModuleSummaries.Summarize(Base, m => attached.GetValueOrDefault(m)).Root) { Title = ToString() };
    }

    /// <summary>
    /// This model's row of a parameter-efficiency table: the attached modules' methods, the parameters that train now,
    /// the total, the base size, parameters per module and the size of the trainable parameters on disk (float32).
    /// </summary>
    public ParameterEfficiencyRow DescribeParameterEfficiency()
    {
        var methods = modules.Values.Select(m => m.Method).Distinct().ToList();
        var kinds = modules.Values.SelectMany(m => m.Parts.Select(p => p.Module.Composition.ToString())).Distinct().ToList();
        long trainable = TrainableParameterCount;
        return new ParameterEfficiencyRow(methods.Count == 0 ? "Base model" : string.Join(" + ", methods),
            kinds.Count == 0 ? (modules.Values.Any(m => m.BaseParameters.Count > 0) ? "base weights" : "none") : string.Join(", ", kinds.Select(k => $"{k.ToLowerInvariant()} composition")),
            trainable, Base.ParameterCount, BaseParameterCount)
        {
            PerUnit = modules.Count > 1 ? new PerUnitParameters(modules.Values.Sum(m => m.EffectiveParameterCount) / modules.Count, "module") : null,
            SizeOnDiskBytes = trainable * sizeof(float),
        };
    }

    /// <summary>Parameters that train now, counting only the masked entries of sparse modules.</summary>
    public long TrainableParameterCount
    {
        get
        {
            var sparse = modules.Values.SelectMany(m => m.Parts).Where(p => p.Module.EffectiveParameterCount != p.Module.ParameterCount).ToList();
            long correction = sparse.Where(p => p.Module.Parameters().Any(q => q.Trainable)).Sum(p => p.Module.ParameterCount - p.Module.EffectiveParameterCount);
            return Base.TrainableParameterCount - correction;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> RoutedLayers => Trace?.RoutedLayers ?? [];

    /// <inheritdoc/>
    public IReadOnlyList<string> RoutingGroupings => Trace?.RoutingGroupings ?? ["all"];

    /// <inheritdoc/>
    public Heatmap RoutingHeatmap(string layer, string groupBy) =>
        (Trace ?? throw new ConfigurationException("No routing trace is recorded; set model.Trace = new RoutingTrace(\"language\", names) before running the model.")).RoutingHeatmap(layer, groupBy);
}
