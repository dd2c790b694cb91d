namespace Modular.Routing;

/// <summary>What a router routes: every token on its own, or whole examples (tokens mean-pooled).</summary>
public enum RoutingGranularity
{
    /// <summary>One decision per token.</summary>
    Token,

    /// <summary>One decision per example, from the mean of its tokens (padding excluded).</summary>
    Example,
}
