using Modular.Aggregation;
using Modular.Computation;
using Modular.NN;
using Modular.Reports;
using Modular.Routing;
using Modular.Tensors;

namespace Modular.Tests.Routing;

/// <summary>Reading a routing trace back: sites by path, by index and by path suffix; labels from the metadata key.</summary>
public sealed class RoutingTraceTests
{
    /// <summary>Three layers named 0, 1, 2 with routed adapters on layers 1 and 2 only, so that the site recorded first is the one at path "1".</summary>
    private static RoutingTrace Record()
    {
        var net = new Sequential(new Linear(4, 4, new Rng(1)), new Linear(4, 4, new Rng(2)), new Linear(4, 4, new Rng(3)));
        var model = net.WithModules();
        model.Attach("1|2", new BottleneckAdapter(reduction: 2), "a").Attach("1|2", new BottleneckAdapter(reduction: 2), "b");
        model.Active = new Mixture(Routers.Gumbel(), ["a", "b"]);
        model.Trace = new RoutingTrace("language", ["en", "de"]);
        net.Eval();
        using (ForwardContext.Begin(metadata: new Dictionary<string, int[]> { ["language"] = [0, 1, 1] })) net.Forward(Tensor.Randn(new Rng(4), 3, 4));
        return model.Trace;
    }

    [Fact]
    public void A_site_path_wins_over_the_same_text_read_as_an_index()
    {
        var trace = Record();
        Assert.Equal(["1", "2"], trace.Sites.Select(s => s.Site));
        Assert.Equal("Routing at 1", trace.Heatmap("1").Title);   // the path "1", not the second recorded site
        Assert.Equal("Routing at 1", trace.Heatmap("0").Title);   // no site "0": the first recorded site
        Assert.Equal("Load at 2", trace.Load("2").Title);
    }

    [Fact]
    public void Each_example_counts_once_under_its_label()
    {
        var site = Record()["2"];
        Assert.Equal(3, site.Tokens);
        Assert.Equal(["en", "de"], site.LabelNames);
        var counts = site.ModuleByLabel();
        Assert.Equal(1.0, counts[0, 0] + counts[1, 0]); // one "en" example, routed to one adapter
        Assert.Equal(2.0, counts[0, 1] + counts[1, 1]);
        Assert.Equal(1.0, site.MeanProbability.Sum(), 6);
    }

    [Fact]
    public void An_unknown_site_lists_the_recorded_ones()
    {
        var error = Assert.Throws<ConfigurationException>(() => Record()["feedForward"]);
        Assert.Equal("The routing trace has no site matching 'feedForward'. Recorded sites: 1, 2.", error.Message);
    }
}
