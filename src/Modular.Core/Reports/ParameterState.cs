namespace Modular.Reports;

/// <summary>Whether the parameters under a module train.</summary>
public enum ParameterState
{
    /// <summary>The module has no parameters.</summary>
    None,

    /// <summary>None of its parameters train.</summary>
    Frozen,

    /// <summary>All of its parameters train.</summary>
    Trainable,

    /// <summary>Some train, some are frozen (e.g. a frozen layer with a LoRA attached).</summary>
    Mixed,
}
