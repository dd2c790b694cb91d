using Modular.Aggregation;

namespace Modular;

/// <summary>Folding parameter-composition modules into the base weights and taking them out again.</summary>
public sealed partial class ModularModel
{
    /// <summary>
    /// Folds a parameter-composition module into the base weights: the base alone then computes what base + module
    /// computed, and the module stops running (a composition may go on naming it). Exact when the module is the
    /// first to act at each of its sites, as with one module per site.
    /// </summary>
    public ModularModel Merge(string name)
    {
        var module = Get(name);
        if (module.IsMerged) throw new ConfigurationException($"Module '{name}' is already merged.");
        var blocking = module.Parts.FirstOrDefault(p => !p.Module.CanMerge);
        if (blocking.Module is not null) throw new ConfigurationException($"Module '{name}' ({module.Method}) cannot be merged: {blocking.Module.Method} at '{blocking.Site.HostPath}' is not a parameter-composition module.");
        if (active is not null && ConditionalNames(active).Contains(name))
            throw new ConfigurationException($"Module '{name}' cannot be merged while the active composition {active} routes or weights it: merged into the base weights it would act on every example. Set Active to a composition without it first.");
        using (Tensors.Autograd.GradMode.NoGrad())
            foreach (var (site, part) in module.Parts) part.MergeInto(site, 1f);
        module.IsMerged = true;
        // A merged module no longer runs, so its own parameters can learn nothing: they stop counting as trainable
        // until it is unmerged.
        module.TrainableWhenMerged = module.OwnParameters.Where(p => p.Trainable).ToList();
        foreach (var p in module.OwnParameters) p.Trainable = false;
        return this;
    }

    /// <summary>
    /// Takes a merged module back out of the base weights (restoring them up to float rounding) and lets it run again,
    /// its parameters trainable as they were before the merge.
    /// </summary>
    public ModularModel Unmerge(string name)
    {
        var module = Get(name);
        if (!module.IsMerged) throw new ConfigurationException($"Module '{name}' is not merged.");
        using (Tensors.Autograd.GradMode.NoGrad())
            foreach (var (site, part) in module.Parts) part.MergeInto(site, -1f);
        module.IsMerged = false;
        foreach (var p in module.TrainableWhenMerged) p.Trainable = true;
        module.TrainableWhenMerged = [];
        return this;
    }

    /// <summary>
    /// The names a composition runs only for some examples or with a weight (under Select, Mixture, Fuse, Average);
    /// under Use, Stack and Sum a module runs on every example with its full effect, which merging preserves.
    /// </summary>
    private static IEnumerable<string> ConditionalNames(Block block) => block switch
    {
        Use => [],
        Stack or Sum => block.Children.SelectMany(ConditionalNames),
        _ => block.Names,
    };
}
