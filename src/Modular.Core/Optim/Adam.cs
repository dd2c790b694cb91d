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
    /// <summary>
    /// Creates the optimiser with PyTorch's defaults. The betas are doubles because 1 − β₂ would lose five digits
    /// in float32 (0.999f is 0.99900001…), skewing the second moment and its bias correction against PyTorch's.
    /// </summary>
    public Adam(float lr = 1e-3f, double beta1 = 0.9, double beta2 = 0.999, float eps = 1e-8f, float weightDecay = 0f, IEnumerable<Parameter>? parameters = null)
        : this(lr, beta1, beta2, eps, weightDecay, decoupled: false, parameters) { }

    /// <summary>Shared constructor for Adam and AdamW.</summary>
    protected Adam(float lr, double beta1, double beta2, float eps, float weightDecay, bool decoupled, IEnumerable<Parameter>? parameters)
        : base(lr, weightDecay)
    {
        if (!(beta1 is >= 0 and < 1) || !(beta2 is >= 0 and < 1)) throw new ConfigurationException($"{GetType().Name}: betas ({beta1}, {beta2}) must lie in [0, 1).");
        if (!(eps >= 0f)) throw new ConfigurationException($"{GetType().Name}: eps {eps} must be ≥ 0.");
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        Decoupled = decoupled;
        if (parameters is not null) Add(parameters);
    }

    /// <summary>β₁.</summary>
    public double Beta1 { get; }

    /// <summary>β₂.</summary>
    public double Beta2 { get; }

    /// <summary>ε.</summary>
    public float Eps { get; }

    /// <summary>True for AdamW's decoupled weight decay.</summary>
    public bool Decoupled { get; }

    /// <inheritdoc/>
    protected override IReadOnlyList<string> SlotNames { get; } = ["exp_avg", "exp_avg_sq", "step"];

    /// <inheritdoc/>
    protected override int[] SlotShape(int slot, Parameter parameter) => slot == 2 ? [1] : base.SlotShape(slot, parameter);

    /// <inheritdoc/>
    protected override bool SlotOnHost(int slot) => slot == 2;

    /// <inheritdoc/>
    protected override void Update(Parameter parameter, Tensor gradient, float learningRate, float weightDecay)
    {
        var s = Slots(parameter);
        var stepSlot = s[2].Span;
        int step = (int)++stepSlot[0]; // per parameter, as PyTorch: a parameter without a gradient does not advance
        var g = gradient.Contiguous();
        // The scalars in double precision, rounded once, as PyTorch computes them in Python.
        double lr = learningRate, biasCorrection1 = 1 - Math.Pow(Beta1, step), biasCorrection2 = 1 - Math.Pow(Beta2, step);
        var settings = new AdamStep((float)Beta1, (float)(1 - Beta1), (float)Beta2, (float)(1 - Beta2), Eps,
            L2: Decoupled ? 0f : weightDecay, Decay: Decoupled ? (float)(1 - lr * weightDecay) : 1f,
            StepSize: (float)(lr / biasCorrection1), SqrtBiasCorrection2: (float)Math.Sqrt(biasCorrection2));
        parameter.Backend.AdamUpdate(parameter, g, s[0], s[1], settings);
    }
}

/// <summary>AdamW (Loshchilov &amp; Hutter) as PyTorch's torch.optim.AdamW: p ← p·(1 − lr·wd) before the Adam step; default weight decay 0.01.</summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimiser with PyTorch's defaults.</summary>
    public AdamW(float lr = 1e-3f, double beta1 = 0.9, double beta2 = 0.999, float eps = 1e-8f, float weightDecay = 1e-2f, IEnumerable<Parameter>? parameters = null)
        : base(lr, beta1, beta2, eps, weightDecay, decoupled: true, parameters) { }
}
