using Modular.Aggregation;
using Modular.Computation;
using Modular.NN;
using Modular.Reports;
using Modular.Routing;
using Modular.Tensors;
using Modular.Tests.Support;

namespace Modular.Tests.Routing;

/// <summary>
/// Fixed routing by per-example metadata (<see cref="Select"/>): a mixed batch sends each row to its own module,
/// exactly as if that row ran alone with that module active.
/// </summary>
public sealed class FixedRoutingTests
{
    private static readonly string[] Tasks = ["a", "b", "c"];

    /// <summary>Two linear layers with three LoRA modules on each, every parameter random so that each module changes the output.</summary>
    private static (ModularModel Model, Sequential Base) ThreeTaskModel()
    {
        var net = new Sequential(new Linear(4, 6, new Rng(1)), new Linear(6, 3, new Rng(2)));
        var model = net.WithModules(seed: 3);
        foreach (var task in Tasks) model.Attach("0|1", new LoRA(rank: 2), task);
        ModuleValues.Randomize(net, new Rng(4));
        return (model, net);
    }

    private static Tensor Run(Sequential net, Tensor x, int[] taskIds)
    {
        using var context = ForwardContext.Begin(metadata: new Dictionary<string, int[]> { ["task"] = taskIds });
        return net.Forward(x);
    }

    [Fact]
    public void A_mixed_batch_sends_each_row_to_the_module_of_its_task_id()
    {
        var (model, net) = ThreeTaskModel();
        var x = Tensor.Randn(new Rng(5), 5, 4);
        int[] ids = [2, 0, 1, 0, 2];
        model.Active = new Select("task", "a", "b", "c");
        var mixed = Run(net, x, ids);

        for (int row = 0; row < ids.Length; row++)
        {
            var alone = x.Narrow(0, row, 1).Contiguous();
            model.Active = Tasks[ids[row]];
            var expected = net.Forward(alone);
            NnAssert.Close(mixed.Narrow(0, row, 1).Contiguous(), expected, 1e-6, 1e-6, $"row {row} (task {Tasks[ids[row]]})");
            // the row must differ from what the other modules give, or the comparison above proves nothing
            foreach (var other in Tasks.Where(t => t != Tasks[ids[row]]))
            {
                model.Active = other;
                var wrong = net.Forward(alone).ToArray();
                Assert.True(wrong.Zip(expected.ToArray()).Max(p => Math.Abs(p.First - p.Second)) > 0.05, $"modules {other} and {Tasks[ids[row]]} agree on row {row}");
            }
        }
    }

    [Fact]
    public void A_mixed_batch_gives_each_module_and_each_input_row_the_gradient_it_gets_alone()
    {
        var (model, net) = ThreeTaskModel();
        var x = Tensor.Randn(new Rng(9), 5, 4);
        x.RequiresGrad = true;
        var weights = Tensor.Randn(new Rng(10), 5, 3);
        int[] ids = [2, 0, 1, 0, 2];
        var parameters = Tasks.SelectMany(t => model.Modules[t].OwnParameters).ToList();

        model.Active = new Select("task", "a", "b", "c");
        Run(net, x, ids).Mul(weights).Sum().Backward();
        var mixed = parameters.Select(p => p.Grad!.ToArray()).Append(x.Grad!.ToArray()).ToList();

        foreach (var p in parameters) p.Grad = null;
        x.Grad = null;
        for (int row = 0; row < ids.Length; row++)
        {
            model.Active = Tasks[ids[row]];
            net.Forward(x.Narrow(0, row, 1)).Mul(weights.Narrow(0, row, 1)).Sum().Backward();
        }
        var alone = parameters.Select(p => p.Grad!.ToArray()).Append(x.Grad!.ToArray()).ToList();

        for (int i = 0; i < mixed.Count; i++)
        {
            Assert.Contains(mixed[i], v => MathF.Abs(v) > 1e-3f);
            for (int j = 0; j < mixed[i].Length; j++) Assert.Equal(alone[i][j], mixed[i][j], 1e-5f);
        }
    }

    [Fact]
    public void Ids_map_to_blocks_through_an_explicit_table()
    {
        var (model, net) = ThreeTaskModel();
        var x = Tensor.Randn(new Rng(6), 3, 4);
        model.Active = new Select("language", new Dictionary<int, Block> { [7] = "c", [3] = new Stack("a", "b") });
        Tensor mixed;
        using (ForwardContext.Begin(metadata: new Dictionary<string, int[]> { ["language"] = [3, 7, 3] })) mixed = net.Forward(x);

        model.Active = new Stack("a", "b");
        var stacked = net.Forward(x);
        model.Active = "c";
        var c = net.Forward(x);
        NnAssert.Close(mixed.Narrow(0, 0, 1).Contiguous(), stacked.Narrow(0, 0, 1).Contiguous(), 1e-6, 1e-6, "row 0 → Stack(a, b)");
        NnAssert.Close(mixed.Narrow(0, 1, 1).Contiguous(), c.Narrow(0, 1, 1).Contiguous(), 1e-6, 1e-6, "row 1 → c");
        NnAssert.Close(mixed.Narrow(0, 2, 1).Contiguous(), stacked.Narrow(0, 2, 1).Contiguous(), 1e-6, 1e-6, "row 2 → Stack(a, b)");
    }

    [Fact]
    public void An_unknown_id_is_a_configuration_error_naming_the_known_ids()
    {
        var (model, net) = ThreeTaskModel();
        model.Active = new Select("task", "a", "b", "c");
        var error = Assert.Throws<ConfigurationException>(() => Run(net, Tensor.Randn(new Rng(7), 3, 4), [0, 5, 1]));
        Assert.Contains("task id 5", error.Message, StringComparison.Ordinal);
        Assert.Contains("Known ids: 0 → a, 1 → b, 2 → c", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_batch_without_the_key_is_a_configuration_error_naming_the_keys_present()
    {
        var (model, net) = ThreeTaskModel();
        model.Active = new Select("task", "a", "b", "c");
        using var context = ForwardContext.Begin(metadata: new Dictionary<string, int[]> { ["language"] = [0, 1] });
        var error = Assert.Throws<ConfigurationException>(() => net.Forward(Tensor.Randn(new Rng(8), 2, 4)));
        Assert.Contains("no 'task' ids (it has: language)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_routing_trace_counts_each_row_under_its_module_and_label()
    {
        var classifier = TransformerClassifier.Create(vocab: 12, dModel: 8, layers: 1, heads: 2, ff: 16, classes: 2, maxLength: 6, seed: 9);
        var model = classifier.WithModules();
        model.Attach(new BottleneckAdapter(reduction: 2), "en").Attach(new BottleneckAdapter(reduction: 2), "de");
        model.Active = new Select("language", "en", "de");
        model.Trace = new RoutingTrace("language", ["en", "de"]);
        var ids = IntTensor.FromArray([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2, 3, 4, 5, 6, 7, 8, 9], 5, 4);
        model.Forward(ids, metadata: new Dictionary<string, int[]> { ["language"] = [0, 1, 1, 0, 1] });

        var heatmap = model.Trace.Heatmap("layers.0.feedForward");
        Assert.Equal(["en", "de"], heatmap.RowLabels);
        Assert.Equal(["en", "de"], heatmap.ColumnLabels);
        Assert.Equal([2.0, 0.0, 0.0, 3.0], [heatmap[0, 0], heatmap[0, 1], heatmap[1, 0], heatmap[1, 1]]);
    }
}
