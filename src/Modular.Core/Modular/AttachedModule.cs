using Modular.Tensors;
using Modular.NN;

namespace Modular;

/// <summary>A named module attached to a model: its method, its parts at each site, and its parameters.</summary>
public sealed class AttachedModule
{
    internal AttachedModule(string name, IModuleSpec spec, IReadOnlyList<(Site Site, ComputationModule Module)> parts, IReadOnlyList<Parameter> baseParameters)
    {
        Name = name;
        Spec = spec;
        Parts = parts;
        BaseParameters = baseParameters;
        baseSnapshot = [.. baseParameters.Select(p => p.ToArray())];
        OwnParameters = new HashSet<Parameter>(parts.SelectMany(p => p.Module.Parameters()), ReferenceEqualityComparer.Instance);
    }

    /// <summary>The module's name.</summary>
    public string Name { get; }

    /// <summary>The recipe it was made from.</summary>
    public IModuleSpec Spec { get; }

    /// <summary>The method's name.</summary>
    public string Method => Spec.Method;

    /// <summary>One computation module per site.</summary>
    public IReadOnlyList<(Site Site, ComputationModule Module)> Parts { get; }

    /// <summary>Base-model parameters this method trains (all of them for full fine-tuning).</summary>
    public IReadOnlyList<Parameter> BaseParameters { get; }

    /// <summary>The parameters the module added (not the base's).</summary>
    public IReadOnlySet<Parameter> OwnParameters { get; }

    /// <summary>Everything this module trains: its own parameters and the base parameters it claims.</summary>
    public IEnumerable<Parameter> Parameters => OwnParameters.Concat(BaseParameters);

    /// <summary>Number of parameter elements this module trains (its own, each shared one once, and the base parameters it claims).</summary>
    public long ParameterCount => Parameters.Sum(p => (long)p.Count);

    /// <summary>
    /// Number of parameter elements that actually change in training: <see cref="ParameterCount"/> less what each part
    /// stores without training it (a sparse module's dense delta outside its mask, see <see cref="ComputationModule.EffectiveParameterCount"/>).
    /// </summary>
    public long EffectiveParameterCount => ParameterCount - Parts.Sum(p => p.Module.ParameterCount - p.Module.EffectiveParameterCount);

    /// <summary>Whether the module is folded into the base weights.</summary>
    public bool IsMerged { get; internal set; }

    /// <summary>Its own parameters that were trainable when it was merged: unmerging makes exactly these trainable again.</summary>
    internal IReadOnlyList<Parameter> TrainableWhenMerged { get; set; } = [];

    // The claimed base parameters' values when the module was attached: training changes the base itself, so
    // removing the module has to put these back for the base to be bit for bit what it was (a copy of what it claims).
    private readonly List<float[]> baseSnapshot;

    /// <summary>Puts the claimed base parameters back to their values at attach time.</summary>
    internal void RestoreBaseParameters()
    {
        for (int i = 0; i < BaseParameters.Count; i++)
        {
            var p = BaseParameters[i];
            using var snapshot = Tensor.FromArray(baseSnapshot[i], p.Shape.ToArray(), p.Device);
            p.CopyFrom(snapshot);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {Method}, {Parts.Count} site{(Parts.Count == 1 ? "" : "s")}, {ParameterCount:N0} parameters{(IsMerged ? ", merged into the base" : "")}";
}
