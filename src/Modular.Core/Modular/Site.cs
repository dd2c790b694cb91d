using Modular.Aggregation;
using Modular.NN;
using Modular.Tensors;

namespace Modular;

/// <summary>
/// A place in the base model where modules attach: a layer whose output they rewrite. A site holds an inventory
/// of named modules; at each forward pass the model's active composition (a <see cref="Block"/>) decides which
/// of them run for which examples (routing) and how their results combine (aggregation).
/// </summary>
public sealed class Site : Module, IForwardHook
{
    /// <summary>Name of the hook (and child module) under which a site hangs from its host.</summary>
    public const string HookName = "modules";

    private readonly Dictionary<string, ComputationModule> inventory = new(StringComparer.Ordinal);
    private readonly ModularModel owner;

    internal Site(ModularModel owner, Module host, string hostPath, int index)
    {
        this.owner = owner;
        Host = host;
        HostPath = hostPath;
        Index = index;
    }

    /// <summary>The layer whose output this site rewrites.</summary>
    public Module Host { get; }

    /// <summary>The host's dotted path in the base model.</summary>
    public string HostPath { get; }

    /// <summary>Position of this site among the model's sites (in attach order), e.g. for global routers that emit one choice per site.</summary>
    public int Index { get; }

    /// <summary>Width of the host's input as it tells it (<see cref="IHostLayer"/>), or a clear error naming <paramref name="who"/> asked.</summary>
    public int InputWidth(string who) => (Host as IHostLayer)?.InputWidth ?? throw UnknownWidth(who, "input");

    /// <summary>Width of the host's output as it tells it (<see cref="IHostLayer"/>), or a clear error naming <paramref name="who"/> asked.</summary>
    public int OutputWidth(string who) => (Host as IHostLayer)?.OutputWidth ?? throw UnknownWidth(who, "output");

    private ConfigurationException UnknownWidth(string who, string side) =>
        new($"{who} at '{HostPath}': a {Host.GetType().Name} does not tell its {side} width; implement {nameof(IHostLayer)} on it (InputWidth, OutputWidth) to host modules that need it.");

    /// <summary>The modules attached here, by name.</summary>
    public IReadOnlyDictionary<string, ComputationModule> Inventory => inventory;

    /// <summary>The model that owns this site.</summary>
    public ModularModel Owner => owner;

    /// <inheritdoc/>
    public override string Description => $"{inventory.Count} module{(inventory.Count == 1 ? "" : "s")}: {string.Join(", ", inventory.Keys)}";

    internal void Add(string name, ComputationModule module)
    {
        inventory.Add(name, module);
        Add<ComputationModule>(name, module);
    }

    internal bool Remove(string name)
    {
        if (!inventory.Remove(name, out var module)) return false;
        RemoveChild(module);
        return true;
    }

    /// <summary>Registers composition state (a router, a fusion layer) under this site, named after its role; returns the name it got.</summary>
    internal string AddCompositionState(string role, Module state)
    {
        var name = role;
        for (int i = 2; Children.Any(c => c.Name == name); i++) name = $"{role}{i}";
        Add(name, state);
        return name;
    }

    /// <summary>Unregisters composition state added by <see cref="AddCompositionState"/>.</summary>
    internal void RemoveCompositionState(Module state) => RemoveChild(state);

    /// <summary>
    /// The module named <paramref name="name"/> that runs here, or null if this site has none of that name or it is
    /// merged into the base weights (which already apply its effect).
    /// </summary>
    public ComputationModule? Find(string name) =>
        inventory.TryGetValue(name, out var module) && !owner.Get(name).IsMerged ? module : null;

    /// <inheritdoc/>
    public Tensor OnForward(Module module, Tensor input, Tensor output)
    {
        var active = owner.Active;
        if (active is null || inventory.Count == 0) return output;
        var result = active.Apply(this, input, output);
        ExtendPaddingMask(output, result);
        return result;
    }

    /// <summary>
    /// Input composition at the embeddings (prompt tuning) prepends positions; the batch's padding mask grows with
    /// them so attention and pooling treat the prompt as real tokens.
    /// </summary>
    private void ExtendPaddingMask(Tensor before, Tensor after)
    {
        if (Host is not ISequenceInputLayer || before.Rank != 3 || after.Rank != 3) return;
        int added = after.Size(1) - before.Size(1);
        var context = ForwardContext.Current;
        if (added <= 0 || context?.PaddingMask is not { } mask) return;
        context.PaddingMask = Tensor.Cat([Tensor.Full([mask.Size(0), added], 1f, mask.Device), mask], 1);
    }
}
