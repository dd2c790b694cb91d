namespace Modular.Reports;

/// <summary>
/// One method in a parameter-efficiency comparison: what it trains, how much of the base model that is,
/// what it costs on disk and what it scores.
/// </summary>
public sealed record ParameterEfficiencyRow
{
    /// <summary>
    /// Creates a row. <paramref name="baseParameters"/> counts the base model alone; <paramref name="totalParameters"/>
    /// the model with the method's modules attached (≥ base); <paramref name="trainableParameters"/> what learns (≤ total).
    /// </summary>
    public ParameterEfficiencyRow(string method, string moduleType, long trainableParameters, long totalParameters, long baseParameters)
    {
        Method = Labels.Required(method, "A parameter-efficiency row");
        ModuleType = moduleType ?? throw new ArgumentNullException(nameof(moduleType));
        if (baseParameters <= 0 || trainableParameters < 0 || totalParameters < baseParameters || trainableParameters > totalParameters)
        {
            throw new ReportDataException(
                $"Row '{method}': trainable {trainableParameters:N0}, total {totalParameters:N0} and base {baseParameters:N0} parameters do not fit; " +
                "expected base > 0, base ≤ total and 0 ≤ trainable ≤ total.");
        }
        TrainableParameters = trainableParameters;
        TotalParameters = totalParameters;
        BaseParameters = baseParameters;
    }

    /// <summary>Method name as readers know it: "LoRA (r = 8)", "Pfeiffer adapter", "Full fine-tuning".</summary>
    public string Method { get; }

    /// <summary>Kind of module the method adds or changes: "LoRA", "bottleneck adapter", "bias terms".</summary>
    public string ModuleType { get; }

    /// <summary>Parameters updated by training.</summary>
    public long TrainableParameters { get; }

    /// <summary>Parameters of the whole model with the method's modules attached.</summary>
    public long TotalParameters { get; }

    /// <summary>Parameters of the base model alone.</summary>
    public long BaseParameters { get; }

    /// <summary>Trainable parameters as a percentage of the base model (100 for full fine-tuning).</summary>
    public double PercentOfBase => 100.0 * TrainableParameters / BaseParameters;

    /// <summary>Parameters each task, language or skill adds, when the method has such units.</summary>
    public PerUnitParameters? PerUnit { get; init; }

    /// <summary>Size of the trained parameters when saved (e.g. as safetensors), in bytes.</summary>
    public long? SizeOnDiskBytes
    {
        get;
        init => field = value is < 0 ? throw new ReportDataException($"Row '{Method}': size on disk must be ≥ 0 bytes, not {value}.") : value;
    }

    /// <summary>The table's metric measured for this method, if it was evaluated.</summary>
    public Measurement? Metric { get; init; }
}
