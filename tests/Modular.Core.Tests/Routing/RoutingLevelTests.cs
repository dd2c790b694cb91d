using Modular.Aggregation;
using Modular.Computation;
using Modular.NN;
using Modular.Routing;
using Modular.Tensors;
using Modular.Tests.Support;

namespace Modular.Tests.Routing;

/// <summary>
/// Routing levels on three stacked linear layers, each with the adapters "a" and "b": layer-wise routers decide at
/// every site from that site's input; a naive-global router decides once per forward pass and every site reuses
/// the decision; a global router decides once per forward pass, from the first site's input, a choice for each site.
/// </summary>
public sealed class RoutingLevelTests
{
    private static readonly string[] Names = ["a", "b"];

    /// <summary>A router that counts its calls and remembers the features it saw.</summary>
    private sealed class CountingRouter : Router
    {
        public CountingRouter(Router inner) => Inner = Add("inner", inner);

        public List<float[]> Seen { get; } = [];

        public Router Inner { get; }

        public override int ModuleCount => Inner.ModuleCount;

        public override RoutingDecision Route(Tensor features)
        {
            Seen.Add(features.ToArray());
            return Inner.Route(features);
        }
    }

    private static (ModularModel Model, Sequential Net, Mixture Mixture, List<CountingRouter> Routers) Build(RoutingLevel level)
    {
        var net = new Sequential(new Linear(4, 4, new Rng(1)), new Linear(4, 4, new Rng(2)), new Linear(4, 4, new Rng(3)));
        var model = net.WithModules(seed: 4);
        model.Attach("0|1|2", new BottleneckAdapter(reduction: 2), "a").Attach("0|1|2", new BottleneckAdapter(reduction: 2), "b");
        var created = new List<CountingRouter>();
        RouterFactory factory = (d, m, rng) =>
        {
            var router = new CountingRouter(new GumbelRouter(d, m, rng));
            created.Add(router);
            return router;
        };
        var mixture = new Mixture(factory, Names, level, RoutingGranularity.Example);
        model.Active = mixture;
        ModuleValues.Randomize(net, new Rng(5), std: 1f);
        net.Eval(); // argmax routing, no noise
        return (model, net, mixture, created);
    }

    /// <summary>Runs the three layers by hand with module <paramref name="choice"/>(site, row) after each.</summary>
    private static Tensor Manual(ModularModel model, Sequential net, Tensor x, Func<int, int, int> choice)
    {
        var rows = new List<Tensor>();
        for (int row = 0; row < x.Size(0); row++)
        {
            var h = x.Narrow(0, row, 1).Contiguous();
            for (int s = 0; s < 3; s++)
            {
                var linear = (Linear)net.Layers[s];
                var output = h.Linear(linear.Weight, linear.Bias);
                h = model.Sites[s.ToString(System.Globalization.CultureInfo.InvariantCulture)].Find(Names[choice(s, row)])!.Apply(h, output);
            }
            rows.Add(h);
        }
        return Tensor.Cat(rows, 0);
    }

    private static int Argmax(float[] values) => Array.IndexOf(values, values.Max());

    private static Tensor Run(Sequential net, Tensor x)
    {
        using var context = ForwardContext.Begin();
        return net.Forward(x);
    }

    [Fact]
    public void Naive_global_routing_decides_once_per_forward_pass_and_every_site_reuses_the_decision()
    {
        var (model, net, mixture, routers) = Build(RoutingLevel.NaiveGlobal);
        var x = Tensor.Randn(new Rng(6), 8, 4);
        var y = Run(net, x);

        var router = Assert.Single(routers);
        Assert.Same(router, Assert.Single(mixture.RoutersOf(model)));
        Assert.Equal(x.ToArray(), Assert.Single(router.Seen)); // once, from the first site's input
        var scores = router.Inner.Route(x).Weights;
        var choices = Enumerable.Range(0, 8).Select(r => Argmax(scores.Narrow(0, r, 1).ToArray())).ToArray();
        Assert.Contains(0, choices);
        Assert.Contains(1, choices);
        NnAssert.Close(y, Manual(model, net, x, (_, row) => choices[row]), 1e-5, 1e-6, "naive global");

        Run(net, x);
        Assert.Equal(2, router.Seen.Count); // a new forward pass decides anew
    }

    [Fact]
    public void Naive_global_routing_decides_anew_for_each_forward_pass_within_one_context()
    {
        var (_, net, _, routers) = Build(RoutingLevel.NaiveGlobal);
        var x = Tensor.Randn(new Rng(6), 8, 4);
        var other = Tensor.Randn(new Rng(7), 8, 4);
        Tensor first, second, fresh;
        using (ForwardContext.Begin())
        {
            first = net.Forward(x);
            second = net.Forward(other);
        }
        fresh = Run(net, other);
        Assert.Equal(x.ToArray(), routers[0].Seen[0]);
        Assert.Equal(other.ToArray(), routers[0].Seen[1]);
        Assert.Equal(fresh.ToArray(), second.ToArray());
        Assert.NotEqual(first.ToArray(), second.ToArray());
    }

    [Fact]
    public void Global_routing_decides_once_from_the_first_sites_input_with_a_choice_for_each_site()
    {
        var (model, net, mixture, routers) = Build(RoutingLevel.Global);
        var x = Tensor.Randn(new Rng(6), 8, 4);
        var y = Run(net, x);

        Assert.Equal(3, routers.Count); // one head per site, all deciding at once
        Assert.Equal(routers, mixture.RoutersOf(model));
        foreach (var router in routers) Assert.Equal(x.ToArray(), Assert.Single(router.Seen));
        var choices = routers.Select(r =>
        {
            var w = r.Inner.Route(x).Weights;
            return Enumerable.Range(0, 8).Select(row => Argmax(w.Narrow(0, row, 1).ToArray())).ToArray();
        }).ToArray();
        Assert.Contains(Enumerable.Range(0, 8), row => choices.Select(c => c[row]).Distinct().Count() > 1); // sites do differ
        NnAssert.Close(y, Manual(model, net, x, (site, row) => choices[site][row]), 1e-5, 1e-6, "global");
    }

    [Fact]
    public void Layer_wise_routing_decides_at_each_site_from_its_own_input()
    {
        var (model, net, mixture, routers) = Build(RoutingLevel.LayerWise);
        var x = Tensor.Randn(new Rng(6), 8, 4);
        var y = Run(net, x);

        Assert.Equal(3, routers.Count);
        Assert.Equal(x.ToArray(), Assert.Single(routers[0].Seen));
        Assert.NotEqual(x.ToArray(), Assert.Single(routers[1].Seen));
        foreach (var (site, router) in model.Sites.Values.Zip(routers)) Assert.Same(router, mixture.RouterAt(model, site));
        // each site's choice comes from its own input: replay by hand, routing on the hidden state that reaches it
        var rows = new List<Tensor>();
        for (int row = 0; row < 8; row++)
        {
            var h = x.Narrow(0, row, 1).Contiguous();
            for (int s = 0; s < 3; s++)
            {
                var linear = (Linear)net.Layers[s];
                int choice = Argmax(routers[s].Inner.Route(h).Weights.ToArray());
                h = model.Sites[s.ToString(System.Globalization.CultureInfo.InvariantCulture)].Find(Names[choice])!.Apply(h, h.Linear(linear.Weight, linear.Bias));
            }
            rows.Add(h);
        }
        NnAssert.Close(y, Tensor.Cat(rows, 0), 1e-5, 1e-6, "layer-wise");
    }
}
