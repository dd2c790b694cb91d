using Modular.NN;
using Modular.Tensors;

namespace Modular.Aggregation;

/// <summary>
/// A composition of named modules — the active setup of a modular model, in the spirit of AdapterHub's
/// composition blocks. The same block is applied at every site; a name refers to the module of that name at
/// the site (a site without it passes the output through). Blocks nest: <c>Stack("de", "task")</c>,
/// <c>Select("language", ...)</c>, <c>Fuse("a", "b")</c>.
/// </summary>
public abstract class Block
{
    /// <summary>The host output after this block's modules at <paramref name="site"/>.</summary>
    public abstract Tensor Apply(Site site, Tensor input, Tensor output);

    /// <summary>Every module name this block refers to, in order.</summary>
    public abstract IEnumerable<string> Names { get; }

    /// <summary>The blocks nested directly inside this one.</summary>
    public virtual IReadOnlyList<Block> Children => [];

    /// <summary>Block types that may appear directly inside this one; null = any.</summary>
    protected virtual IReadOnlyList<Type>? AllowedChildren => null;

    /// <summary>Checks the nesting rules of this block and its descendants, naming the offending pair and the allowed children.</summary>
    public void Validate()
    {
        var allowed = AllowedChildren;
        foreach (var child in Children)
        {
            if (allowed is not null && !allowed.Any(t => t.IsInstanceOfType(child)))
                throw new ConfigurationException($"{GetType().Name} cannot contain {child.GetType().Name} ({child}); allowed inside {GetType().Name}: {string.Join(", ", allowed.Select(t => t.Name))}.");
            child.Validate();
        }
        // The same module applied twice to one input (Stack("lora", "lora")) would add its contribution twice.
        if (Applications().FirstOrDefault(a => a.Value > 1) is { Key: not null } repeated)
            throw new ConfigurationException($"{this} applies the module '{repeated.Key}' {repeated.Value} times to the same input; a composition uses each module once. Attach another module under a second name to apply two.");
    }

    /// <summary>How often each module name acts on one input passing through this block: the sum over children, or for a <see cref="Select"/> the most over its alternatives.</summary>
    internal virtual Dictionary<string, int> Applications()
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        if (Children.Count == 0)
            foreach (var name in Names) counts[name] = counts.GetValueOrDefault(name) + 1;
        foreach (var child in Children)
            foreach (var (name, count) in child.Applications()) counts[name] = counts.GetValueOrDefault(name) + count;
        return counts;
    }

    /// <summary>
    /// Prepares per-site state when the block becomes active on <paramref name="model"/> (routers, fusion layers),
    /// registering it under the sites so that it is part of the model. Called again on re-activation; binding is idempotent.
    /// </summary>
    protected internal virtual void Bind(ModularModel model)
    {
        foreach (var child in Children) child.Bind(model);
    }

    /// <summary>Parameters that belong to the composition itself (routers, fusion), not to any module.</summary>
    public virtual IEnumerable<Parameter> CompositionParameters => Children.SelectMany(c => c.CompositionParameters);

    /// <summary>A single module by name.</summary>
    public static implicit operator Block(string name) => new Use(name);

    /// <summary>A readable form such as <c>Stack(de, task)</c>.</summary>
    public override string ToString() => $"{GetType().Name}({string.Join(", ", Children)})";
}
