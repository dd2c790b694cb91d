using Modular.Tensors;

namespace Modular.Routing;

/// <summary>Creates a router for one site: inputs of width <paramref name="dimension"/>, <paramref name="modules"/> outputs.</summary>
public delegate Router RouterFactory(int dimension, int modules, Rng rng);

/// <summary>Router recipes for <see cref="Aggregation.Mixture"/>.</summary>
public static class Routers
{
    /// <summary>Soft top-k routing (mixture of experts): gate pᵢ for k = 1 (Switch); for k ≥ 2 renormalised over the k unless <paramref name="normalizeTopK"/> is false.</summary>
    public static RouterFactory TopK(int k = 1, float capacityFactor = 0f, bool noisy = false, float balanceWeight = 0.01f, float zLossWeight = 0.001f, bool normalizeTopK = true) =>
        (dimension, modules, rng) => new TopKRouter(dimension, modules, k, rng, capacityFactor, noisy, balanceWeight, zLossWeight, normalizeTopK);

    /// <summary>Hard routing with straight-through Gumbel-softmax.</summary>
    public static RouterFactory Gumbel(float temperature = 1f, Func<int, float>? schedule = null) =>
        (dimension, modules, rng) => new GumbelRouter(dimension, modules, rng, temperature, schedule);

    /// <summary>Polytropon's task × skill allocation.</summary>
    public static RouterFactory Polytropon(int tasks, string taskKey = "task") =>
        (_, modules, rng) => new PolytroponRouter(tasks, modules, rng, taskKey);

    /// <summary>Hard routing learned with REINFORCE.</summary>
    public static RouterFactory Reinforce(float baselineDecay = 0.9f) =>
        (dimension, modules, rng) => new ReinforceRouter(dimension, modules, rng, baselineDecay);
}
