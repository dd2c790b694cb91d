namespace Modular.Reports;

/// <summary>The routing statistics of one site: module × label counts, load, mean router probabilities, drops.</summary>
public sealed class SiteRouting
{
    private readonly RoutingTrace trace;
    private readonly Dictionary<int, double[]> byLabel = [];
    private readonly double[] load;
    private readonly long[] overflow;
    private readonly double[] probabilitySum;

    internal SiteRouting(string site, IReadOnlyList<string> modules, RoutingTrace trace)
    {
        Site = site;
        Modules = modules;
        this.trace = trace;
        load = new double[modules.Count];
        overflow = new long[modules.Count];
        probabilitySum = new double[modules.Count];
    }

    /// <summary>The site's host path.</summary>
    public string Site { get; }

    /// <summary>The modules (experts, skills, adapters) routed among.</summary>
    public IReadOnlyList<string> Modules { get; }

    /// <summary>Tokens (or examples) routed at this site.</summary>
    public long Tokens { get; private set; }

    /// <summary>Tokens that overflowed expert capacity and skipped the experts (passed through the residual).</summary>
    public long Dropped { get; private set; }

    /// <summary>Fraction of tokens dropped.</summary>
    public double DroppedRate => Tokens == 0 ? 0 : (double)Dropped / Tokens;

    /// <summary>Sum of the routing entropy −Σ p log p over recorded tokens (for soft routers).</summary>
    public double EntropySum { get; private set; }

    /// <summary>Number of tokens whose probabilities were recorded.</summary>
    public long ProbabilityTokens { get; private set; }

    /// <summary>Mean routing entropy per token (nats).</summary>
    public double MeanEntropy => ProbabilityTokens == 0 ? 0 : EntropySum / ProbabilityTokens;

    /// <summary>Assignments per module (a token routed to k experts counts once for each).</summary>
    public IReadOnlyList<double> Load => load;

    /// <summary>How unequal the load is: standard deviation / mean of <see cref="Load"/> (0 = perfectly balanced).</summary>
    public double LoadImbalance
    {
        get
        {
            double mean = load.Average();
            return mean == 0 ? 0 : Math.Sqrt(load.Sum(l => (l - mean) * (l - mean)) / load.Length) / mean;
        }
    }

    /// <summary>Mean router probability per module over recorded tokens (the Switch loss's Pᵢ).</summary>
    public IReadOnlyList<double> MeanProbability => probabilitySum.Select(p => ProbabilityTokens == 0 ? 0 : p / ProbabilityTokens).ToList();

    /// <summary>The label ids seen, ascending (−1 = unlabelled).</summary>
    public IReadOnlyList<int> LabelIds => byLabel.Keys.Order().ToList();

    /// <summary>Names of <see cref="LabelIds"/>.</summary>
    public IReadOnlyList<string> LabelNames => LabelIds.Select(id => id < 0 ? "all" : trace.LabelName(id)).ToList();

    /// <summary>
    /// The modules × labels matrix: entry [m, l] is how much was routed to module m from examples labelled l — the number
    /// of kept assignments for top-k routers (tokens sent to each expert), the routing weight for dense routers (a
    /// Polytropon allocation, a soft mixture), one per example for fixed routing; normalised per label (columns sum to 1)
    /// when <paramref name="normalizeColumns"/>.
    /// </summary>
    public double[,] ModuleByLabel(bool normalizeColumns = false)
    {
        var labels = LabelIds;
        var matrix = new double[Modules.Count, labels.Count];
        for (int l = 0; l < labels.Count; l++)
        {
            var column = byLabel[labels[l]];
            double sum = normalizeColumns ? column.Sum() : 1;
            for (int m = 0; m < Modules.Count; m++) matrix[m, l] = sum > 0 ? column[m] / sum : 0;
        }
        return matrix;
    }

    /// <summary>Assignments per module that did not fit its capacity.</summary>
    public IReadOnlyList<long> Overflow => overflow;

    internal void AddOverflow(int module) => overflow[module]++;

    internal void Add(int module, int label, double weight)
    {
        if (!byLabel.TryGetValue(label, out var column)) byLabel[label] = column = new double[Modules.Count];
        column[module] += weight;
        load[module] += 1;
    }

    internal void AddTokens(long tokens, long dropped)
    {
        Tokens += tokens;
        Dropped += dropped;
    }

    internal void AddProbabilities(ReadOnlySpan<float> probabilities)
    {
        // one token's router distribution
        double entropy = 0;
        for (int m = 0; m < probabilities.Length; m++)
        {
            double p = probabilities[m];
            probabilitySum[m] += p;
            if (p > 0) entropy -= p * Math.Log(p);
        }
        EntropySum += entropy;
        ProbabilityTokens++;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Site}: {Tokens:N0} routed, {Dropped:N0} dropped, load [{string.Join(", ", load.Select(l => l.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))}]";
}
