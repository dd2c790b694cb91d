using Modular.Aggregation;
using Modular.Computation;
using Modular.NN;
using Modular.Reports;
using Modular.Routing;
using Modular.Tensors;
using Modular.Tensors.Autograd;
using Modular.Tests.Support;

namespace Modular.Tests.Aggregation;

/// <summary>
/// Composition blocks are descriptions; the state they need (routers, fusion layers) belongs to each model that uses
/// them, and goes when the model's composition stops using the block — unless the model keeps it aside.
/// </summary>
public sealed class CompositionStateTests
{
    /// <summary>Two linear layers, each with two bottleneck adapters "a" and "b".</summary>
    private static (Sequential Net, ModularModel Model) TwoAdapters(int seed)
    {
        var net = new Sequential(new Linear(4, 4, new Rng((ulong)seed)), new Linear(4, 4, new Rng((ulong)seed + 1)));
        var model = net.WithModules(seed);
        model.Attach("0|1", new BottleneckAdapter(reduction: 2), "a").Attach("0|1", new BottleneckAdapter(reduction: 2), "b");
        return (net, model);
    }

    [Fact]
    public void One_mixture_instance_set_on_two_models_creates_routers_in_each()
    {
        var (netA, first) = TwoAdapters(1);
        var (netB, second) = TwoAdapters(2);
        long baseA = netA.ParameterCount, baseB = netB.ParameterCount;
        var mixture = new Mixture(Routers.TopK(k: 1), ["a", "b"]);
        first.Active = mixture;
        second.Active = mixture;

        long router = (4 * 2) * 2; // a 4 → 2 gate per site, two sites
        Assert.Equal(baseA + router, netA.ParameterCount);
        Assert.Equal(baseB + router, netB.ParameterCount);
        Assert.Equal(2, mixture.RoutersOf(first).Count);
        Assert.Equal(2, mixture.RoutersOf(second).Count);
        Assert.Empty(mixture.RoutersOf(first).Intersect(mixture.RoutersOf(second)));
        // and each model routes with its own routers: the second one's outputs depend on its own gates
        var rng = new Rng(5);
        foreach (var site in second.Sites.Values)
            foreach (var module in site.Inventory.Values) ModuleValues.Randomize(module, rng);
        var x = Tensor.Randn(new Rng(3), 5, 4);
        var before = netB.Forward(x).ToArray();
        using (GradMode.NoGrad())
            foreach (var r in mixture.RoutersOf(second)) { using var w = Tensor.Randn(new Rng(4), 2, 4).Mul(5f); ((TopKRouter)r).Gate.Weight.Assign(w); }
        Assert.NotEqual(before, netB.Forward(x).ToArray());
    }

    [Fact]
    public void Replacing_a_composition_releases_its_routers_and_fusion_layers()
    {
        var (net, model) = TwoAdapters(1);
        long modulesOnly = net.ParameterCount;
        model.Active = new Mixture(Routers.TopK(k: 1), ["a", "b"]);
        Assert.True(net.ParameterCount > modulesOnly);
        model.Active = new Fuse("a", "b");
        model.Active = "a";

        Assert.Equal(modulesOnly, net.ParameterCount);
        Assert.Empty(model.CompositionParameters);
        Assert.DoesNotContain(net.NamedParameters(), p => p.Path.Contains("router", StringComparison.Ordinal) || p.Path.Contains("fusion", StringComparison.Ordinal));
        Assert.Equal(modulesOnly, model.DescribeParameterEfficiency().TotalParameters);
    }

    [Fact]
    public void A_kept_router_leaves_the_model_while_replaced_and_comes_back_trained()
    {
        var (net, model) = TwoAdapters(1);
        long modulesOnly = net.ParameterCount;
        var mixture = new Mixture(Routers.TopK(k: 1), ["a", "b"]);
        model.KeepCompositionState(mixture).Active = mixture;
        var router = mixture.RoutersOf(model)[0];
        using (GradMode.NoGrad()) { using var trained = Tensor.Full(0.25f, 2, 4); ((TopKRouter)router).Gate.Weight.Assign(trained); }

        model.Active = "a";
        Assert.Equal(modulesOnly, net.ParameterCount);           // out of the tree, the counts and any new optimiser
        Assert.Throws<ConfigurationException>(() => mixture.RoutersOf(model));

        model.Active = mixture;
        Assert.Same(router, mixture.RoutersOf(model)[0]);
        Assert.All(((TopKRouter)router).Gate.Weight.ToArray(), v => Assert.Equal(0.25f, v));
        Assert.Equal("0.modules.router.gate.weight", ((TopKRouter)router).Gate.Weight.Name);
    }

    [Fact]
    public void Two_fusions_in_one_model_start_from_different_weights()
    {
        var (_, model) = TwoAdapters(1);
        model.Attach("0|1", new BottleneckAdapter(reduction: 2), "c").Attach("0|1", new BottleneckAdapter(reduction: 2), "d");
        var first = new Fuse("a", "b");
        var second = new Fuse("c", "d");
        model.Active = new Stack(first, second);
        var q1 = first.LayersOf(model).Values.First().Query.Weight.ToArray();
        var q2 = second.LayersOf(model).Values.First().Query.Weight.ToArray();
        Assert.NotEqual(q1, q2);
        // and the two sites' fusion layers of one block differ too
        var layers = first.LayersOf(model).Values.ToList();
        Assert.NotEqual(layers[0].Query.Weight.ToArray(), layers[1].Query.Weight.ToArray());
    }

    [Fact]
    public void A_select_nested_in_a_stack_is_traced()
    {
        var net = new Sequential(new Linear(4, 4, new Rng(1)));
        var model = net.WithModules(seed: 1);
        foreach (var name in new[] { "en", "de", "task" }) model.Attach("0", new BottleneckAdapter(reduction: 2), name);
        model.Active = new Stack(new Select("language", "en", "de"), "task");
        model.Trace = new RoutingTrace("language", ["en", "de"]);
        var x = Tensor.Randn(new Rng(2), 5, 4);
        using (ForwardContext.Begin(metadata: new Dictionary<string, int[]> { ["language"] = [0, 1, 1, 0, 1] })) net.Forward(x);

        var heatmap = model.Trace.Heatmap("0");
        Assert.Equal(["en", "de"], heatmap.RowLabels);
        Assert.Equal([2.0, 0.0, 0.0, 3.0], [heatmap[0, 0], heatmap[1, 0], heatmap[0, 1], heatmap[1, 1]]);
    }
}
