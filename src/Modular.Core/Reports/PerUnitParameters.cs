namespace Modular.Reports;

/// <summary>Parameters one unit adds, e.g. 8,192 per language for MAD-X language adapters or per skill for Polytropon.</summary>
public sealed record PerUnitParameters
{
    /// <summary>Creates the figure; <paramref name="unit"/> is singular ("task", "language", "skill").</summary>
    public PerUnitParameters(long parameters, string unit)
    {
        if (parameters < 0) throw new ReportDataException($"Parameters per {unit} must be ≥ 0, not {parameters}.");
        Parameters = parameters;
        Unit = Labels.Required(unit, "A per-unit parameter count");
    }

    /// <summary>Parameters for one unit.</summary>
    public long Parameters { get; }

    /// <summary>The unit, singular: "task", "language", "skill", "expert".</summary>
    public string Unit { get; }
}
