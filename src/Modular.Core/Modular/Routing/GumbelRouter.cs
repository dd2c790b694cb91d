using Modular.NN;
using Modular.Tensors;

namespace Modular.Routing;

/// <summary>
/// Learned hard routing with the straight-through Gumbel-softmax estimator (Jang et al., 2017): while training,
/// y_soft = softmax((logits + g)/τ) with Gumbel noise g; the forward pass uses the one-hot argmax and the backward
/// pass the gradient of y_soft. At evaluation the choice is the argmax of the logits. τ follows
/// <see cref="TemperatureSchedule"/> over training steps.
/// </summary>
public sealed class GumbelRouter : Router, ITrainingStepAware
{
    private readonly Rng rng;

    /// <summary>Creates a router over <paramref name="modules"/> modules for <paramref name="dimension"/>-wide inputs.</summary>
    public GumbelRouter(int dimension, int modules, Rng rng, float temperature = 1f, Func<int, float>? temperatureSchedule = null)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (modules < 1) throw new ConfigurationException($"GumbelRouter: needs at least one module, got {modules}.");
        if (!(temperature > 0f)) throw new ConfigurationException($"GumbelRouter: temperature {temperature} must be > 0.");
        this.rng = rng.Fork();
        ModuleCount = modules;
        Temperature = temperature;
        TemperatureSchedule = temperatureSchedule;
        Gate = Add("gate", new Linear(dimension, modules, rng));
    }

    /// <inheritdoc/>
    public override int ModuleCount { get; }

    /// <summary>The logits network.</summary>
    public Linear Gate { get; }

    /// <summary>Current τ.</summary>
    public float Temperature { get; set; }

    /// <summary>τ as a function of the training step, or null to keep it fixed.</summary>
    public Func<int, float>? TemperatureSchedule { get; }

    /// <summary>Exponential annealing τ(t) = max(τ_min, τ₀·e^(−rate·t)), the usual Gumbel-softmax schedule.</summary>
    public static Func<int, float> Anneal(float initial, float minimum, float rate) => step => Math.Max(minimum, initial * MathF.Exp(-rate * step));

    /// <inheritdoc/>
    public override string Description => $"Gumbel straight-through over {ModuleCount}, τ = {Temperature:G3}";

    /// <inheritdoc/>
    public void OnTrainingStep(int step)
    {
        if (TemperatureSchedule is not null) Temperature = TemperatureSchedule(step);
    }

    /// <inheritdoc/>
    public override RoutingDecision Route(Tensor features)
    {
        var logits = Gate.Forward(features);
        if (!Training)
        {
            var probabilities = logits.Softmax(-1);
            return new RoutingDecision(OneHotOfArgmax(probabilities), probabilities);
        }
        var noise = Tensor.Gumbel(ForwardContext.RandomOr(rng), logits.Shape.ToArray()).To(logits.Device);
        var soft = logits.Add(noise).Mul(1f / Temperature).Softmax(-1);
        var hard = OneHotOfArgmax(soft);
        // straight-through: forward = hard, gradient = that of soft
        var weights = hard.Sub(soft.Detach()).Add(soft);
        return new RoutingDecision(weights, soft);
    }

    /// <summary>One-hot rows at each row's maximum, [rows, modules].</summary>
    public static Tensor OneHotOfArgmax(Tensor scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        using var detached = scores.Detach();
        var (_, index) = detached.MaxWithIndices(-1);
        return Tensor.OneHot(index, scores.Size(-1), scores.Device);
    }
}
