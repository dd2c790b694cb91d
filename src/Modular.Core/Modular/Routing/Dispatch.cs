using Modular.Tensors;

namespace Modular.Routing;

/// <summary>
/// Sparse dispatch of routed rows: for each module, the rows it received (within capacity), so that each module
/// runs once on exactly its rows — never dense all-modules compute — and its weighted output is added back in place.
/// </summary>
public static class Dispatch
{
    /// <summary>For each module that received rows: its index and those rows (ascending).</summary>
    public static IEnumerable<(int Module, IntTensor Rows)> Groups(RoutingDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var rows = new List<int>[decision.ModuleCount];
        for (int m = 0; m < rows.Length; m++) rows[m] = [];
        if (decision.Chosen is { } chosen)
        {
            int k = chosen.ShapeArray[1];
            var index = chosen.Span;
            for (int a = 0; a < index.Length; a++)
                if (decision.Kept is null || decision.Kept[a]) rows[index[a]].Add(a / k);
        }
        else
        {
            var w = decision.Weights.Detach().ToArray(); // which rows each module serves: one read of a device per site
            int n = decision.ModuleCount;
            for (int r = 0; r < decision.Rows; r++)
                for (int m = 0; m < n; m++) if (w[r * n + m] != 0f) rows[m].Add(r);
        }
        for (int m = 0; m < rows.Length; m++)
            if (rows[m].Count > 0) yield return (m, IntTensor.FromArray(rows[m].ToArray()));
    }

    /// <summary>
    /// <paramref name="target"/> with every part's values added at its rows, in one scatter over the concatenated parts
    /// (a row that several parts hold accumulates them in part order) — one pass over the batch, not one per module.
    /// </summary>
    public static Tensor AddRows(Tensor target, IReadOnlyList<(IntTensor Rows, Tensor Values)> parts)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0) return target;
        var rows = new int[parts.Sum(p => p.Rows.Count)];
        int position = 0;
        foreach (var (partRows, _) in parts)
        {
            partRows.Span.CopyTo(rows.AsSpan(position));
            position += partRows.Count;
        }
        var values = parts.Count == 1 ? parts[0].Values : Tensor.Cat(parts.Select(p => p.Values).ToList(), 0);
        return target.IndexAdd(0, IntTensor.FromArray(rows), values);
    }

    /// <summary>
    /// Fixed routing of a batch by one id per example (a task or language id): <paramref name="run"/> computes each id's
    /// rows once, and the groups' results return to the batch order with one gather of their concatenation — never one
    /// full-batch scatter per group. A batch of one id runs whole, without copying. <paramref name="where"/> names the
    /// caller in errors (e.g. <c>Select("language") at 'layers.0.feedForward'</c>).
    /// </summary>
    public static Tensor ByExample(int[] ids, Func<int, IntTensor?, Tensor> run, string where)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(run);
        var groups = ids.Select((id, row) => (id, row)).GroupBy(e => e.id).ToList();
        if (groups.Count == 1) return run(groups[0].Key, null);
        var outputs = new List<Tensor>(groups.Count);
        var inverse = new int[ids.Length];
        int position = 0;
        foreach (var group in groups)
        {
            var rowIndices = group.Select(e => e.row).ToArray();
            var y = run(group.Key, IntTensor.FromArray(rowIndices));
            if (outputs.Count > 0 && (y.Rank != outputs[0].Rank || !y.Shape.Skip(1).SequenceEqual(outputs[0].Shape.Skip(1))))
                throw new ShapeMismatchException($"{where}: the groups' outputs differ in shape ({y.Shape} vs {outputs[0].Shape}); modules chosen per example must agree on the output shape (e.g. prompts of equal length).");
            outputs.Add(y);
            foreach (var row in rowIndices) inverse[row] = position++;
        }
        return Tensor.Cat(outputs, 0).IndexSelect(0, IntTensor.FromArray(inverse));
    }

    /// <summary>The rows <paramref name="rows"/> of <paramref name="batch"/> (all of it when null: the whole batch is one group).</summary>
    public static Tensor Rows(Tensor batch, IntTensor? rows)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return rows is null ? batch : batch.IndexSelect(0, rows);
    }

    /// <summary>The routing weight of <paramref name="module"/> for each of <paramref name="rows"/>, [n, 1] (differentiable).</summary>
    public static Tensor Gate(RoutingDecision decision, IntTensor rows, int module)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return decision.Weights.IndexSelect(0, rows).Narrow(1, module, 1);
    }

    /// <summary>Reshapes an [n, 1] gate to broadcast over a [n, …] tensor of rank <paramref name="rank"/>.</summary>
    public static Tensor Broadcastable(Tensor gate, int rank)
    {
        ArgumentNullException.ThrowIfNull(gate);
        if (rank <= 2) return gate;
        var shape = Enumerable.Repeat(1, rank).ToArray();
        shape[0] = gate.Size(0);
        return gate.Reshape(shape);
    }
}
