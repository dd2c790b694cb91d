using Modular.Aggregation;
using Modular.NN;

namespace Modular;

/// <summary>The model's active composition and the state its blocks keep here (routers, fusion layers).</summary>
public sealed partial class ModularModel
{
    /// <summary>
    /// The composition that runs at every site, e.g. <c>"sentiment"</c>, <c>new Stack("de", "task")</c>,
    /// <c>new Select("language", "en", "de")</c>; null runs the base model alone. Setting it creates the state its
    /// blocks need in this model (routers, fusion layers, under the sites) and releases the state of the blocks it
    /// replaces — unless <see cref="KeepCompositionState"/> kept them aside, ready to come back trained.
    /// </summary>
    public Block? Active
    {
        get => active;
        set
        {
            if (value is not null)
            {
                value.Validate();
                var unknown = value.Names.Where(n => !modules.ContainsKey(n)).Distinct().ToList();
                if (unknown.Count > 0)
                    throw new ConfigurationException($"The composition {value} names {string.Join(", ", unknown.Select(n => $"'{n}'"))}, which {(unknown.Count == 1 ? "is" : "are")} not attached. Attached modules: {(modules.Count == 0 ? "none" : string.Join(", ", modules.Keys))}.");
                var merged = ConditionalNames(value).Where(n => modules[n].IsMerged).Distinct().ToList();
                if (merged.Count > 0)
                    throw new ConfigurationException($"The composition {value} routes or weights {string.Join(", ", merged.Select(n => $"'{n}'"))}, which {(merged.Count == 1 ? "is" : "are")} merged into the base weights and act{(merged.Count == 1 ? "s" : "")} on every example. Unmerge first.");
            }
            var next = value?.Descendants.ToHashSet<Block>(ReferenceEqualityComparer.Instance) ?? [];
            foreach (var block in next) CreateOrRestoreState(block);
            foreach (var block in active?.Descendants ?? [])
                if (!next.Contains(block)) ReleaseState(block);
            active = value;
            if (!Device.IsHost) Settle();
        }
    }

    /// <summary>
    /// Keeps <paramref name="block"/>'s state (e.g. a trained router) when a later composition replaces it: the state
    /// leaves the model's tree, its parameter counts and optimisers, and returns, as trained, when the same block
    /// instance is set active again. Without this, replacing a block discards its state.
    /// </summary>
    public ModularModel KeepCompositionState(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        keptStates.Add(block);
        return this;
    }

    /// <summary>The state <paramref name="block"/> keeps in this model (routers, fusion layers); a clear error when the block is not part of the active composition.</summary>
    public CompositionState StateOf(Block block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return compositionStates.TryGetValue(block, out var state) && state.IsAttached ? state
            : throw new ConfigurationException($"{block} is not part of this model's active composition ({active?.ToString() ?? "none"}); set it as model.Active first.");
    }

    /// <summary>Parameters of the active composition's own state (routers, fusion layers), each once.</summary>
    public IEnumerable<Parameter> CompositionParameters =>
        (active?.Descendants ?? []).Where(compositionStates.ContainsKey).SelectMany(b => compositionStates[b].Parameters).Distinct();

    private void CreateOrRestoreState(Block block)
    {
        if (compositionStates.TryGetValue(block, out var existing))
        {
            existing.Reattach();
            return;
        }
        var state = new CompositionState(block);
        block.CreateState(this, state);
        compositionStates[block] = state;
    }

    private void ReleaseState(Block block)
    {
        if (!compositionStates.TryGetValue(block, out var state)) return;
        state.Detach();
        if (!keptStates.Contains(block)) compositionStates.Remove(block);
    }
}
