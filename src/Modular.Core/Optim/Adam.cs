using Modular.NN;
using Modular.Tensors;
using Modular.Tensors.Kernels;

namespace Modular.Optim;

/// <summary>
/// Adam (Kingma &amp; Ba) as PyTorch's torch.optim.Adam, with weight decay added to the gradient (L2). For weight
/// decay decoupled from the gradient use <see cref="AdamW"/>.
/// </summary>
public class Adam : Optimizer
{
    /// <summary>Creates the optimiser with PyTorch's defaults.</summary>
    public Adam(float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0f, IEnumerable<Parameter>? parameters = null)
        : this(lr, beta1, beta2, eps, weightDecay, decoupled: false, parameters) { }

    /// <summary>Shared constructor for Adam and AdamW.</summary>
    protected Adam(float lr, float beta1, float beta2, float eps, float weightDecay, bool decoupled, IEnumerable<Parameter>? parameters)
        : base(lr, weightDecay)
    {
        if (beta1 is < 0f or >= 1f || beta2 is < 0f or >= 1f) throw new ConfigurationException($"{GetType().Name}: betas ({beta1}, {beta2}) must lie in [0, 1).");
        if (!(eps >= 0f)) throw new ConfigurationException($"{GetType().Name}: eps {eps} must be ≥ 0.");
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        Decoupled = decoupled;
        if (parameters is not null) Add(parameters);
    }

    /// <summary>β₁.</summary>
    public float Beta1 { get; }

    /// <summary>β₂.</summary>
    public float Beta2 { get; }

    /// <summary>ε.</summary>
    public float Eps { get; }

    /// <summary>True for AdamW's decoupled weight decay.</summary>
    public bool Decoupled { get; }

    /// <inheritdoc/>
    protected override IReadOnlyList<string> SlotNames { get; } = ["exp_avg", "exp_avg_sq", "step"];

    /// <inheritdoc/>
    protected override int[] SlotShape(int slot, Parameter parameter) => slot == 2 ? [1] : base.SlotShape(slot, parameter);

    /// <inheritdoc/>
    protected override void Update(Parameter parameter, Tensor gradient, float learningRate, float weightDecay)
    {
        var s = Slots(parameter);
        var stepSlot = s[2].Span;
        int step = (int)++stepSlot[0]; // per parameter, as PyTorch: a parameter without a gradient does not advance
        var g = gradient.Contiguous();
        var settings = new AdamStep(learningRate, Beta1, Beta2, Eps, weightDecay, Decoupled,
            1f - MathF.Pow(Beta1, step), 1f - MathF.Pow(Beta2, step));
        Backend.Current.AdamUpdate(parameter.Span, g.Span, s[0].Span, s[1].Span, settings);
    }
}

/// <summary>AdamW (Loshchilov &amp; Hutter) as PyTorch's torch.optim.AdamW: p ← p·(1 − lr·wd) before the Adam step; default weight decay 0.01.</summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimiser with PyTorch's defaults.</summary>
    public AdamW(float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 1e-2f, IEnumerable<Parameter>? parameters = null)
        : base(lr, beta1, beta2, eps, weightDecay, decoupled: true, parameters) { }
}
