using Modular.NN;
using Modular.Tensors;

namespace Modular;

/// <summary>
/// A recipe for a kind of module — its hyper-parameters and where it goes by default — that creates one
/// <see cref="ComputationModule"/> per matching host layer when attached to a model.
/// </summary>
public interface IModuleSpec
{
    /// <summary>The method's name ("LoRA", …).</summary>
    string Method { get; }

    /// <summary>The path pattern used when the caller gives none (e.g. <c>layers.*.feedForward</c>); empty = none.</summary>
    string DefaultTargets { get; }

    /// <summary>Null if <paramref name="host"/> is a layer this module can attach to, else the reason it cannot.</summary>
    string? RejectHost(Module host);

    /// <summary>
    /// Creates the modules for all matched hosts of one attachment, in order. Modules created together may share
    /// parameters (a prefix generator, a hypernetwork), which are then counted once.
    /// </summary>
    IReadOnlyList<ComputationModule> CreateModules(IReadOnlyList<(string Path, Module Host)> hosts, Rng rng);

    /// <summary>Parameters of the base model itself that this method trains (full fine-tuning trains them all); none by default.</summary>
    IEnumerable<Parameter> BaseParameters(Module baseModel) => [];
}

/// <summary>A recipe whose modules are created independently for each host.</summary>
public abstract class ModuleSpec : IModuleSpec
{
    /// <inheritdoc/>
    public abstract string Method { get; }

    /// <inheritdoc/>
    public abstract string DefaultTargets { get; }

    /// <inheritdoc/>
    public abstract string? RejectHost(Module host);

    /// <summary>Creates the module for one host, sized from it.</summary>
    public abstract ComputationModule Create(Module host, string hostPath, Rng rng);

    /// <inheritdoc/>
    public IReadOnlyList<ComputationModule> CreateModules(IReadOnlyList<(string Path, Module Host)> hosts, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        return hosts.Select(h => Create(h.Host, h.Path, rng)).ToList();
    }
}
