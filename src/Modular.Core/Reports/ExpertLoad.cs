using System.Globalization;

namespace Modular.Reports;

/// <summary>
/// How a mixture-of-experts layer spread one batch over its experts: tokens routed to each expert, tokens dropped
/// because an expert was over capacity (they pass through the residual), and the capacity itself.
/// </summary>
[TypeFormatterSource(ReportFormatting.FormatterSource)]
public sealed class ExpertLoad
{
    /// <summary>
    /// Creates the load of one layer. <paramref name="tokensRouted"/> counts tokens the router sent to each expert (dropped
    /// ones included). Without <paramref name="tokensDropped"/>, drops follow from <paramref name="capacity"/> (tokens beyond it).
    /// </summary>
    public ExpertLoad(IReadOnlyList<long> tokensRouted, IReadOnlyList<long>? tokensDropped = null, long? capacity = null, IReadOnlyList<string>? expertNames = null)
    {
        ArgumentNullException.ThrowIfNull(tokensRouted);
        if (tokensRouted.Count == 0) throw new ReportDataException("Expert load needs at least one expert.");
        if (capacity is < 0) throw new ReportDataException($"Expert capacity must be ≥ 0 tokens, not {capacity}.");
        int experts = tokensRouted.Count;
        ExpertNames = expertNames is null ? [.. Enumerable.Range(0, experts).Select(i => $"expert {i}")] : Labels.Check(expertNames, "expert");
        tokensDropped ??= [.. tokensRouted.Select(n => capacity is { } c ? Math.Max(0, n - c) : 0)];
        if (ExpertNames.Count != experts || tokensDropped.Count != experts)
        {
            throw new ShapeMismatchException(
                $"Expert load has {experts} routed counts, {tokensDropped.Count} dropped counts and {ExpertNames.Count} names; give one of each per expert.");
        }
        for (int i = 0; i < experts; i++)
        {
            long routed = tokensRouted[i], dropped = tokensDropped[i];
            if (routed < 0 || dropped < 0 || dropped > routed || capacity is { } c && routed - dropped > c)
            {
                throw new ReportDataException(
                    $"Expert '{ExpertNames[i]}': {routed} routed and {dropped} dropped tokens with capacity {capacity?.ToString(CultureInfo.InvariantCulture) ?? "none"} do not fit; " +
                    "expected 0 ≤ dropped ≤ routed and routed − dropped ≤ capacity.");
            }
        }
        TokensRouted = [.. tokensRouted];
        TokensDropped = [.. tokensDropped];
        Capacity = capacity;
    }

    /// <summary>Expert names, e.g. "expert 0".</summary>
    public IReadOnlyList<string> ExpertNames { get; }

    /// <summary>Tokens the router assigned to each expert, dropped ones included.</summary>
    public IReadOnlyList<long> TokensRouted { get; }

    /// <summary>Tokens each expert could not take because it was full.</summary>
    public IReadOnlyList<long> TokensDropped { get; }

    /// <summary>Tokens each expert can process per batch (⌈tokens / experts⌉ · capacity factor), if limited.</summary>
    public long? Capacity { get; }

    /// <summary>Heading shown above the bars, e.g. "Layer 3".</summary>
    public string? Title { get; init; }

    /// <summary>Sentence shown below the bars.</summary>
    public string? Caption { get; init; }

    /// <summary>Tokens routed over all experts.</summary>
    public long TotalTokens => TokensRouted.Sum();

    /// <summary>Tokens dropped over all experts.</summary>
    public long TotalDropped => TokensDropped.Sum();

    /// <summary>Tokens a perfectly balanced router would send to each expert.</summary>
    public double BalancedLoad => (double)TotalTokens / TokensRouted.Count;
}
