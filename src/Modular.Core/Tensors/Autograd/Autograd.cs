using Modular.Tensors.Kernels;

namespace Modular.Tensors.Autograd;

/// <summary>The reverse-mode engine: records operations and runs them backwards.</summary>
internal static class Autograd
{
    [ThreadStatic] private static List<Tensor>? order;
    [ThreadStatic] private static HashSet<GradNode>? seen;
    [ThreadStatic] private static Stack<Tensor>? pending;

    // The gradient the running node's backward consumes. The engine owns it alone and drops it once the node is done,
    // so the first input the node passes it (or a dense view of it) to may keep it as its own gradient instead of a copy
    // — residual additions, reshapes and clones hand their gradient on this way, as PyTorch's do. Until the node is done,
    // its memory must not change: a later addition into it in the same node goes to new memory.
    //
    // Further inner (non-leaf) inputs given the same memory share it too, each through a view of its own, so that the
    // storage's reference count says when memory is shared: an addition into a gradient whose memory is shared writes
    // the sum to new memory (copy-on-write, one pass like an addition in place) and leaves the others' values alone.
    // Leaves never share with the engine: their gradients outlive the pass, and an in-place change to one (clipping,
    // scaling) must not reach another, so memory a leaf took in this node is copied, never shared, for the inputs after
    // it. Every inner gradient is consumed before Backward() returns, so a leaf's memory is the engine's alone by then;
    // any other reference to it is the user's (a view of .Grad), and additions go into it in place, as PyTorch's do.
    [ThreadStatic] private static Tensor? donor;
    [ThreadStatic] private static bool donorGiven, donorTaken;
    [ThreadStatic] private static List<TensorStorage>? takenByLeaves;

    // Backward does not nest: its node order and the donor above are per thread, and a backward pass run from inside a
    // node's backward would add into gradients the outer node is still reading.
    [ThreadStatic] private static bool running;

    /// <summary>True when an operation on these inputs must be recorded.</summary>
    public static bool NeedsGrad(Tensor a) => GradMode.IsEnabled && a.RequiresGrad;

    public static bool NeedsGrad(Tensor a, Tensor b) => GradMode.IsEnabled && (a.RequiresGrad || b.RequiresGrad);

    public static bool NeedsGrad(ReadOnlySpan<Tensor> inputs)
    {
        if (!GradMode.IsEnabled) return false;
        foreach (var t in inputs) if (t.RequiresGrad) return true;
        return false;
    }

    /// <summary>Marks <paramref name="output"/> as produced by an operation whose backward is <paramref name="backward"/>.</summary>
    public static Tensor Record(Tensor output, string name, BackwardFunction backward, params Tensor[] inputs)
    {
        output.GradFn = new GradNode(name, inputs, backward);
        output.RequiresGradInternal = true;
        return output;
    }

    /// <summary>Runs backward from <paramref name="root"/> seeded with <paramref name="seed"/>.</summary>
    public static void Backward(Tensor root, Tensor seed)
    {
        if (!root.RequiresGrad) throw new AutogradException($"Backward: {root.Describe()} does not require gradients; nothing that produced it has RequiresGrad = true (are all parameters frozen?).");
        if (root.GradFn is { Backward: null }) throw new AutogradException($"Backward: the graph behind {root.Describe()} was already freed by an earlier Backward(); compute the forward pass again.");
        if (running) throw new AutogradException($"Backward: {root.Describe()} was asked for its gradients from inside another Backward() on this thread; a backward pass cannot run inside a node's backward. Call Backward() after the outer one returns.");
        var nodes = TopologicalOrder(root);
        using var noGrad = GradMode.NoGrad();
        running = true;
        try
        {
            Accumulate(root, seed, mayTake: false); // the seed is the caller's tensor: copied, never taken
            foreach (var t in nodes)
            {
                var node = t.GradFn!;
                var g = t.PendingGrad;
                t.PendingGrad = null;
                if (g is null) continue;
                // A shared part of the graph that another root's Backward() already freed: skipping it would silently
                // lose every gradient that flows through it.
                if (node.Backward is null)
                {
                    g.Dispose();
                    throw new AutogradException($"Backward: {t.Describe()}, produced by {node.Name}, is part of a graph an earlier Backward() already freed (two losses sharing it?). Add the losses and call Backward() once, or compute the forward pass again.");
                }
                (donor, donorGiven, donorTaken) = (g, false, false);
                (takenByLeaves ??= []).Clear();
                try
                {
                    using var scope = TensorScope.Begin();
                    node.Backward(g);
                }
                finally
                {
                    if (!donorTaken) g.Dispose();
                    donor = null;
                }
                node.Release();
            }
        }
        finally
        {
            running = false;
            takenByLeaves?.Clear(); // holds the last node's storages otherwise, until the next pass on this thread
            // After a failure, gradients still waiting at inner nodes must not leak into the next backward pass.
            foreach (var t in nodes)
            {
                t.PendingGrad?.Dispose();
                t.PendingGrad = null;
            }
        }
    }

    /// <summary>Non-leaf tensors reachable from <paramref name="root"/>, outputs before inputs.</summary>
    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var result = order ??= [];
        var visited = seen ??= [];
        var stack = pending ??= new Stack<Tensor>();
        result.Clear();
        visited.Clear();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var t = stack.Pop();
            var node = t.GradFn;
            if (node is null || !visited.Add(node)) continue;
            result.Add(t);
            foreach (var input in node.Inputs) if (input.RequiresGrad && input.GradFn is not null) stack.Push(input);
        }
        // Creation order is a topological order: every node was created after its inputs.
        result.Sort(static (x, y) => y.GradFn!.Sequence.CompareTo(x.GradFn!.Sequence));
        visited.Clear();
        return result;
    }

    /// <summary>Adds <paramref name="grad"/> to the gradient of <paramref name="input"/> (no-op if it needs none).</summary>
    public static void Accumulate(Tensor input, Tensor grad, bool mayTake = true)
    {
        if (!input.RequiresGrad) return;
        if (input.IsDisposed)
            throw new AutogradException($"Backward: {input.Describe()} was disposed while the graph still needed it, so its gradient cannot flow on. Keep every tensor that leads to the loss alive until Backward() (a TensorScope around the whole step frees them afterwards).");
        if (!grad.Shape.Equals(input.Shape))
            throw new ShapeMismatchException($"Internal autograd error: gradient {grad.Shape} does not match {input.Describe()}.");
        bool leaf = input.GradFn is null;
        var sum = leaf ? input.Grad : input.PendingGrad;
        if (sum is null) sum = Own(grad, mayTake, mayShare: !leaf);
        else
        {
            if (!ReferenceEquals(sum.Backend, grad.Backend))
                throw new DeviceMismatchException($"Backward: a gradient of {input.Describe()} arrived on device '{grad.Device}' while its accumulated gradient is on '{sum.Device}'. Keep the whole computation on one device (model.To(device)).");
            // The node may still read its incoming gradient, and other inner gradients may share this one's memory:
            // either way the sum goes to new memory. A leaf's memory is shared by no other gradient (see donor).
            if (IsDonated(sum) || (!leaf && !sum.Storage.IsExclusive))
            {
                var total = Tensor.Empty(sum.ShapeArray, sum.Backend, scoped: false);
                sum.Backend.Binary(BinaryKind.Add, sum, grad, total);
                Release(sum);
                sum = total;
            }
            else sum.Backend.AddInPlace(sum, grad);
        }
        if (leaf) input.Grad = sum;
        else input.PendingGrad = sum;
    }

    /// <summary>True when <paramref name="sum"/> is the running node's incoming gradient (or a view of it), which that node may still read.</summary>
    private static bool IsDonated(Tensor sum) => donor is not null && ReferenceEquals(sum.Storage, donor.Storage);

    /// <summary>Gives up a gradient that a new sum replaces: the running node's own goes back to the engine, which frees it after the node; any other (a view) goes now.</summary>
    private static void Release(Tensor sum)
    {
        if (ReferenceEquals(sum, donor)) donorTaken = false;
        else sum.Dispose();
    }

    /// <summary>
    /// A gradient buffer that outlives the current node's backward: <paramref name="grad"/> itself when it is a dense
    /// tensor this node's backward just created and nothing else shares (taken out of the node's scope — no copy), or the
    /// node's incoming gradient handed on; else, for an inner input (<paramref name="mayShare"/>), a view of its memory
    /// of its own, whose reference makes additions copy on write; else a copy.
    /// </summary>
    private static Tensor Own(Tensor grad, bool mayTake, bool mayShare)
    {
        var owned = Take(grad, mayTake, mayShare);
        if (!mayShare && ReferenceEquals(owned, grad)) (takenByLeaves ??= []).Add(grad.Storage);
        return owned;
    }

    private static Tensor Take(Tensor grad, bool mayTake, bool mayShare)
    {
        bool dense = grad.IsContiguous && grad.Offset == 0 && grad.Storage.Length == grad.Count;
        if (mayTake && dense && grad.Storage.IsExclusive && TensorScope.TryRelease(grad))
            return grad;
        // A leaf takes the incoming gradient only while no other gradient shares its memory (the engine's reference and,
        // for a view of it, the view's own are all there may be).
        if (mayTake && dense && !donorGiven && donor is not null && ReferenceEquals(grad.Storage, donor.Storage)
            && (mayShare || grad.Storage.References == (ReferenceEquals(grad, donor) ? 1 : 2)))
        {
            if (ReferenceEquals(grad, donor)) (donorGiven, donorTaken) = (true, true);
            else if (TensorScope.TryRelease(grad)) donorGiven = true; // a view of it: the engine's release of the original leaves it the only user
            if (donorGiven) return grad;
        }
        if (mayTake && mayShare && takenByLeaves?.Contains(grad.Storage) != true) return grad.SharedView();
        return UnscopedCopy(grad);
    }

    /// <summary>A copy of <paramref name="t"/> outside any scope: a gradient buffer of the engine's own.</summary>
    private static Tensor UnscopedCopy(Tensor t)
    {
        var copy = Tensor.Empty(t.ShapeArray, t.Backend, scoped: false);
        t.Backend.Copy(t, copy);
        return copy;
    }
}
