namespace Modular;

/// <summary>
/// What a module — or every module of one method — costs: the data behind a parameter-efficiency table. Sparse
/// modules count only their mask's entries as trainable; full fine-tuning counts the whole base.
/// </summary>
/// <param name="Name">The module's name (for a method's row, its modules' names joined).</param>
/// <param name="Method">The method, e.g. "LoRA" or "Bottleneck adapter (Pfeiffer)".</param>
/// <param name="Sites">Layers the module is attached at.</param>
/// <param name="TrainableParameters">Parameter elements that change in training.</param>
/// <param name="StoredParameters">Parameter elements the module adds to the model (a sparse module stores its delta densely).</param>
/// <param name="BaseParameters">Parameter elements of the base model alone.</param>
/// <param name="Bytes">Size of the module's file as <see cref="ModuleFiles.SaveModule"/> writes it.</param>
public sealed record ModuleAccount(string Name, string Method, int Sites, long TrainableParameters, long StoredParameters, long BaseParameters, long Bytes)
{
    /// <summary>Parameter elements of the base model with the module attached.</summary>
    public long TotalParameters => BaseParameters + StoredParameters;

    /// <summary>Trainable parameters as a percentage of the base model's.</summary>
    public double PercentOfBase => 100.0 * TrainableParameters / BaseParameters;
}
