using Modular.NN;

namespace Modular;

/// <summary>Entry point of the modular workflow on any model.</summary>
public static class ModularExtensions
{
    /// <summary>Wraps the model so modules can be attached to it: <c>encoder.WithModules().Attach(...)</c>.</summary>
    public static ModularModel WithModules(this Module baseModel, int seed = 0) => new(baseModel, seed);
}
