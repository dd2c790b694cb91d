using Modular.NN;

namespace Modular;

/// <summary>Post-hoc adaptation: which parameters of the base, the modules and the composition train.</summary>
public sealed partial class ModularModel
{
    /// <summary>
    /// Post-hoc adaptation: freezes the base and every module, then lets train exactly the named modules and any
    /// base layers matching the extra patterns (e.g. <c>"head"</c> for a new classifier head).
    /// </summary>
    public ModularModel TrainOnly(params string[] modulesOrBasePatterns)
    {
        ArgumentNullException.ThrowIfNull(modulesOrBasePatterns);
        Base.Freeze();
        foreach (var item in modulesOrBasePatterns)
        {
            if (modules.TryGetValue(item, out var module))
            {
                foreach (var p in module.Parameters) p.Trainable = true;
                continue;
            }
            var parameters = BaseParametersIn(item);
            if (parameters.Count == 0)
                throw new ModulePathException($"TrainOnly: '{item}' is neither an attached module ({(modules.Count == 0 ? "none attached" : string.Join(", ", modules.Keys))}) nor a pattern matching a layer of the base model that has parameters.");
            foreach (var (_, p) in parameters) p.Trainable = true;
        }
        return this;
    }

    /// <summary>
    /// Lets the active composition's own parameters train (routers, AdapterFusion layers), in addition to whatever
    /// already trains; e.g. <c>TrainOnly().TrainComposition()</c> trains only the fusion of frozen adapters.
    /// </summary>
    public ModularModel TrainComposition()
    {
        if (active is null) throw new ConfigurationException("TrainComposition: no composition is active; set Active first.");
        foreach (var p in CompositionParameters) p.Trainable = true;
        return this;
    }

    /// <summary>
    /// The base model's own parameters, by path, in the layers matching <paramref name="pattern"/> (e.g. <c>head</c>);
    /// parameters of attached modules and of compositions (routers, fusion layers) are not the base's.
    /// </summary>
    internal IReadOnlyList<(string Path, Parameter Parameter)> BaseParametersIn(string pattern)
    {
        var inLayers = Base.Match(pattern).Where(e => !IsInsideSite(e.Module)).SelectMany(e => e.Module.Parameters()).ToHashSet(ReferenceEqualityComparer.Instance);
        var inSites = SiteParameters();
        return Base.NamedParameters().Where(e => inLayers.Contains(e.Parameter) && !inSites.Contains(e.Parameter)).ToList();
    }

    /// <summary>Every parameter that hangs from a site: attached modules' and compositions' parameters.</summary>
    private HashSet<object> SiteParameters() => sites.Values.SelectMany(s => s.Parameters()).ToHashSet<object>(ReferenceEqualityComparer.Instance);
}
