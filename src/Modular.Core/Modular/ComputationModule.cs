using Modular.NN;
using Modular.Tensors;

namespace Modular;

/// <summary>The survey's three ways a module composes with the function it attaches to.</summary>
public enum CompositionKind
{
    /// <summary>The module changes the host's parameters: f_{θ ⊕ φ}(x) (LoRA, sparse deltas, BitFit).</summary>
    Parameter,

    /// <summary>The module is concatenated with the host's input: f_θ([φ, x]) (prompt and prefix tuning).</summary>
    Input,

    /// <summary>The module's function is composed with the host's: f_φ ∘ f_θ (adapters, (IA)³ rescaling).</summary>
    Function,
}

/// <summary>
/// One module of computation attached at one site of a base model (e.g. the LoRA matrices of one linear layer).
/// It rewrites the host's output for a batch of examples; which modules run, and how their results combine,
/// is decided by the site's routing and aggregation.
/// </summary>
public abstract class ComputationModule : Module
{
    /// <summary>
    /// The method's name as the literature writes it ("LoRA", "Bottleneck adapter (Pfeiffer)", …): the name of the recipe
    /// that made it, given when the module is attached (written once, by the recipe); the class name before that.
    /// </summary>
    public string Method { get; internal set; }

    /// <summary>Starts with the class name as the method's name, until a recipe attaches it.</summary>
    protected ComputationModule() => Method = GetType().Name;

    /// <summary>How the module composes with its host.</summary>
    public abstract CompositionKind Composition { get; }

    /// <summary>
    /// The host's output after this module: <paramref name="output"/> is what the host (and any modules before
    /// this one) computed from <paramref name="input"/>. Both are batch-first; the module sees only the rows
    /// routed to it.
    /// </summary>
    public abstract Tensor Apply(Tensor input, Tensor output);

    /// <summary>Parameter elements that actually train (a sparse module stores a dense delta but trains only its mask's entries).</summary>
    public virtual long EffectiveParameterCount => ParameterCount;

    /// <summary>
    /// The module's additive change to its linear host's weight, ΔW [out, in] (LoRA: (α/r)·B·A; sparse: M ⊙ Δ), or null
    /// when its effect is not an additive weight change. Task arithmetic and TIES merge these.
    /// </summary>
    public virtual Tensor? WeightDelta() => null;

    /// <summary>Whether <see cref="MergeInto"/> can fold this module into the host's weights.</summary>
    public virtual bool CanMerge => false;

    /// <summary>
    /// Adds (<paramref name="sign"/> = 1) or removes (−1) this module's effect from the weights of the site's host
    /// (or a layer next to it), so the base alone computes what base + module computed. Only with <see cref="CanMerge"/>.
    /// By default a module with a <see cref="WeightDelta"/> adds ±ΔW to its linear host's weight.
    /// </summary>
    public virtual void MergeInto(Site site, float sign)
    {
        ArgumentNullException.ThrowIfNull(site);
        if (!CanMerge || site.Host is not Linear linear || WeightDelta() is not { } delta)
            throw new ConfigurationException($"{Method} modules cannot be merged into the base weights; only parameter-composition modules such as LoRA and (IA)³ can.");
        using (delta)
        {
            using var scaled = delta.Mul(sign);
            using var merged = linear.Weight.Add(scaled);
            linear.Weight.Assign(merged);
        }
    }
}
