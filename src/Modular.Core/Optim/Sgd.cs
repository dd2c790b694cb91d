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
    protected override void Update(Parameter parameter, Tensor gradient, float learningRate, float weightDecay)
    {
        var p = parameter.Span;
        var g = gradient.Contiguous();
        using var d = Tensor.Empty(parameter.ShapeArray.ToArray(), scoped: false);
        var ds = d.Span;
        g.Span.CopyTo(ds);
        if (weightDecay != 0f) Tensors.Kernels.Backend.Current.ScaledAddInPlace(ds, p, weightDecay);
        if (Momentum != 0f)
        {
            var s = Slots(parameter);
            var buffer = s[0].Span;
            var initialised = s[1].Span;
            if (initialised[0] == 0f)
            {
                ds.CopyTo(buffer);
                initialised[0] = 1f;
            }
            else
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(buffer, Momentum, buffer);
                Tensors.Kernels.Backend.Current.ScaledAddInPlace(buffer, ds, 1f - Dampening);
            }
            if (Nesterov) Tensors.Kernels.Backend.Current.ScaledAddInPlace(ds, buffer, Momentum);
            else buffer.CopyTo(ds);
        }
        Tensors.Kernels.Backend.Current.ScaledAddInPlace(p, ds, -learningRate);
    }
}
