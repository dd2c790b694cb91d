using Modular.NN;
using Modular.Reports;
using Modular.Tensors;

namespace Modular.Routing;

/// <summary>
/// A routing function: scores the modules of an inventory for each row and decides which are active and with
/// what weight. Learned routers are modules (their parameters train with the rest); fixed routing by metadata is
/// the <see cref="Select"/> block.
/// </summary>
public abstract class Router : Module
{
    /// <summary>Number of modules routed among.</summary>
    public abstract int ModuleCount { get; }

    /// <summary>
    /// Routes <paramref name="features"/> [rows, d] (tokens, or pooled examples). Per-example metadata (task ids, …)
    /// is read from <see cref="ForwardContext"/> by routers that use it.
    /// </summary>
    public abstract RoutingDecision Route(Tensor features);

    /// <summary>Adds a decision to a routing trace: per row, the weight given to each module, labelled by the trace's key.</summary>
    public static void Record(RoutingTrace? trace, string site, IReadOnlyList<string> modules, RoutingDecision decision, int[]? rowExample = null)
    {
        if (trace is null) return;
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(modules);
        var record = trace.For(site, modules);
        var labels = trace.RowLabels();
        // copied to the host explicitly: a trace reads every decision it records
        var w = decision.Weights.Detach().ToArray();
        var p = decision.Probabilities.Detach().ToArray();
        int n = decision.ModuleCount;
        for (int row = 0; row < decision.Rows; row++)
        {
            int example = rowExample?[row] ?? row;
            int label = labels is not null && example < labels.Length ? labels[example] : -1;
            if (decision.Chosen is { } chosen)
            {
                for (int j = 0; j < chosen.ShapeArray[1]; j++)
                {
                    int assignment = row * chosen.ShapeArray[1] + j;
                    if (decision.Kept is null || decision.Kept[assignment]) record.Add(chosen.Span[assignment], label, 1.0);
                    else record.AddOverflow(chosen.Span[assignment]);
                }
            }
            else
            {
                for (int m = 0; m < n; m++) if (w[row * n + m] != 0f) record.Add(m, label, w[row * n + m]);
            }
            record.AddProbabilities(p.AsSpan(row * n, n));
        }
        long dropped = decision.Kept is null ? 0 : RowsFullyDropped(decision);
        record.AddTokens(decision.Rows, dropped);
    }

    private static long RowsFullyDropped(RoutingDecision decision)
    {
        int k = decision.Chosen!.ShapeArray[1];
        long dropped = 0;
        for (int row = 0; row < decision.Rows; row++)
        {
            bool any = false;
            for (int j = 0; j < k; j++) any |= decision.Kept![row * k + j];
            if (!any) dropped++;
        }
        return dropped;
    }
}
