namespace Modular.Routing;

/// <summary>Where routing decisions are made (the survey's routing levels).</summary>
public enum RoutingLevel
{
    /// <summary>Each site decides from its own input, with its own router.</summary>
    LayerWise,

    /// <summary>One router decides once per forward pass (at the first site it meets) and every site reuses that choice.</summary>
    NaiveGlobal,

    /// <summary>
    /// Decisions for every site are made once per forward pass, at the first site and from its input, by one router head
    /// per site: a possibly different choice for each site from a single global view of the example.
    /// </summary>
    Global,
}
