using Modular.Tensors;

namespace Modular.Aggregation;

/// <summary>One module by name: at a site that has it, its output; elsewhere the output unchanged.</summary>
public sealed class Use : Block
{
    /// <summary>Refers to the module <paramref name="name"/>.</summary>
    public Use(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ConfigurationException("A module name in a composition must not be empty.");
        Name = name;
    }

    /// <summary>The module's name.</summary>
    public string Name { get; }

    /// <inheritdoc/>
    public override IEnumerable<string> Names => [Name];

    /// <inheritdoc/>
    public override Tensor Apply(Site site, Tensor input, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(site);
        return site.Find(Name)?.Apply(input, output) ?? output;
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
