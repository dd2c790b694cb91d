namespace Modular.NN;

/// <summary>An indexed list of modules (children named 0, 1, 2, …), e.g. the layers of an encoder.</summary>
public sealed class ModuleList<T> : Module where T : Module
{
    private readonly List<T> items = [];

    /// <summary>Holds the given modules.</summary>
    public ModuleList(IEnumerable<T> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (var m in modules) items.Add(Add(items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), m));
    }

    /// <summary>The module at <paramref name="index"/>.</summary>
    public T this[int index] => items[index];

    /// <summary>Number of modules.</summary>
    public int Count => items.Count;

    /// <summary>The modules in order.</summary>
    public IReadOnlyList<T> Items => items;
}
