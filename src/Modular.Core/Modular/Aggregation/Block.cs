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

    /// <summary>How often each module name acts on one input passing through this block: the sum over children, or for a <see cref="Routing.Select"/> the most over its alternatives.</summary>
    internal virtual Dictionary<string, int> Applications()
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        if (Children.Count == 0)
            foreach (var name in Names) counts[name] = counts.GetValueOrDefault(name) + 1;
        foreach (var child in Children)
            foreach (var (name, count) in child.Applications()) counts[name] = counts.GetValueOrDefault(name) + count;
        return counts;
    }

    /// <summary>This block and every block nested in it, outermost first.</summary>
    public IEnumerable<Block> Descendants => Children.SelectMany(c => c.Descendants).Prepend(this);

    /// <summary>
    /// Creates the per-site state this block needs in <paramref name="model"/> (routers, fusion layers) into
    /// <paramref name="state"/>, once, when the block becomes part of the model's composition. Blocks that keep no
    /// state (most) leave it empty. The block itself must not remember the model: the same block can serve many models.
    /// </summary>
    protected internal virtual void CreateState(ModularModel model, CompositionState state) { }

    /// <summary>A single module by name.</summary>
    public static implicit operator Block(string name) => new Use(name);

    /// <summary>A readable form such as <c>Stack(de, task)</c>.</summary>
    public override string ToString() => $"{GetType().Name}({string.Join(", ", Children)})";
}
