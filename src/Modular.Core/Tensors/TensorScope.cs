namespace Modular.Tensors;

/// <summary>
/// Frees every tensor created inside it when disposed, except those passed to <see cref="Keep"/>.
/// Wrap a training step in one (<c>using var scope = TensorScope.Begin();</c>) and its activations and
/// temporary gradients go back to the buffer pool, so the next step reuses them instead of allocating.
/// Outside any scope tensors are ordinary garbage-collected objects.
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? current;
    [ThreadStatic] private static Stack<List<Tensor>>? recycledLists;

    private readonly List<Tensor> owned;
    private readonly List<IDisposable> resources = [];
    private TensorScope? outer;
    private bool active;

    private TensorScope(List<Tensor> owned) => this.owned = owned;

    /// <summary>The innermost open scope on this thread, or null.</summary>
    internal static TensorScope? Current => current;

    /// <summary>Opens a scope on this thread; tensors created until it is disposed belong to it.</summary>
    public static TensorScope Begin()
    {
        var list = recycledLists is { Count: > 0 } r ? r.Pop() : new List<Tensor>(256);
        var scope = new TensorScope(list) { outer = current, active = true };
        current = scope;
        return scope;
    }

    internal static void Register(Tensor t) => current?.owned.Add(t);

    /// <summary>Device memory that is not a tensor (indices a device kernel computed), freed with the scope.</summary>
    internal static void Register(IDisposable resource) => current?.resources.Add(resource);

    /// <summary>Moves <paramref name="tensor"/> out of this scope (to the enclosing scope, if any) so it survives disposal.</summary>
    public T Keep<T>(T tensor) where T : Tensor
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!active) throw new InvalidOperationException("This tensor scope is already disposed; keep tensors before the scope ends.");
        int i = owned.LastIndexOf(tensor);
        if (i >= 0)
        {
            owned[i] = owned[^1];
            owned.RemoveAt(owned.Count - 1);
            outer?.owned.Add(tensor);
        }
        return tensor;
    }

    /// <summary>
    /// Removes <paramref name="tensor"/> from the innermost scope without handing it to an outer one, so that its caller
    /// owns it from now on; false if the tensor does not belong to that scope.
    /// </summary>
    internal static bool TryRelease(Tensor tensor)
    {
        if (current is not { } scope) return false;
        int i = scope.owned.LastIndexOf(tensor);
        if (i < 0) return false;
        scope.owned[i] = scope.owned[^1];
        scope.owned.RemoveAt(scope.owned.Count - 1);
        return true;
    }

    /// <summary>Disposes every tensor created in this scope and not kept.</summary>
    public void Dispose()
    {
        if (!active) return;
        if (current != this) throw new InvalidOperationException("Tensor scopes must be disposed in reverse order of creation (innermost first).");
        foreach (var t in owned) t.Dispose();
        owned.Clear();
        foreach (var r in resources) r.Dispose();
        resources.Clear();
        current = outer;
        outer = null;
        active = false;
        (recycledLists ??= new Stack<List<Tensor>>()).Push(owned);
    }
}
