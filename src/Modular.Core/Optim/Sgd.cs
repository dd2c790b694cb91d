using Modular.NN;
using Modular.Tensors;

namespace Modular.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay,
/// exactly as PyTorch's torch.optim.SGD: d = g + wd·p; b = μ·b + (1 − τ)·d (b = d at the first step);
/// d = d + μ·b (Nesterov) or b; p ← p − lr·d.
/// </summary>
public sealed class Sgd : Optimizer
{
    /// <summary>Creates the optimiser; add parameters with <see cref="Optimizer.Add"/> or pass them here.</summary>
    public Sgd(float lr, float momentum = 0f, float dampening = 0f, bool nesterov = false, float weightDecay = 0f, IEnumerable<Parameter>? parameters = null)
        : base(lr, weightDecay)
    {
        if (momentum < 0f) throw new ConfigurationException($"Sgd: momentum {momentum} must be ≥ 0.");
        if (nesterov && (momentum <= 0f || dampening != 0f)) throw new ConfigurationException("Sgd: Nesterov momentum needs momentum > 0 and dampening = 0 (as in PyTorch).");
        Momentum = momentum;
        Dampening = dampening;
        Nesterov = nesterov;
        if (parameters is not null) Add(parameters);
    }

    /// <summary>μ.</summary>
    public float Momentum { get; }

    /// <summary>τ.</summary>
    public float Dampening { get; }

    /// <summary>Whether to use Nesterov momentum.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    protected override IReadOnlyList<string> SlotNames { get; } = ["momentum_buffer", "initialised"];

    /// <inheritdoc/>
    protected override int[] SlotShape(int slot, Parameter parameter) => slot == 1 ? [1] : base.SlotShape(slot, parameter);

    /// <inheritdoc/>
    protected override bool SlotOnHost(int slot) => slot == 1;

    /// <inheritdoc/>
    protected override void Update(Parameter parameter, Tensor gradient, float learningRate, float weightDecay)
    {
        var backend = parameter.Backend;
        using var d = Tensor.Empty(parameter.ShapeArray, backend, scoped: false);
        backend.Copy(gradient, d);
        if (weightDecay != 0f) backend.ScaledAddInPlace(d, parameter, weightDecay);
        if (Momentum != 0f)
        {
            var s = Slots(parameter);
            var buffer = s[0];
            var initialised = s[1].Span; // a host slot
            if (initialised[0] == 0f)
            {
                backend.Copy(d, buffer);
                initialised[0] = 1f;
            }
            else
            {
                backend.Unary(Tensors.Kernels.UnaryKind.Affine, buffer, buffer, Momentum, 0f);
                backend.ScaledAddInPlace(buffer, d, 1f - Dampening);
            }
            if (Nesterov) backend.ScaledAddInPlace(d, buffer, Momentum);
            else backend.Copy(buffer, d);
        }
        backend.ScaledAddInPlace(parameter, d, -learningRate);
    }
}
