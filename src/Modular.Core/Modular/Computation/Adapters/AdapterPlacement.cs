namespace Modular.Computation;

/// <summary>Where sequential bottleneck adapters go in each Transformer layer.</summary>
public enum AdapterPlacement
{
    /// <summary>After the feed-forward block only (Pfeiffer et al., 2021).</summary>
    Pfeiffer,

    /// <summary>After the attention block and after the feed-forward block (Houlsby et al., 2019).</summary>
    Houlsby,
}
