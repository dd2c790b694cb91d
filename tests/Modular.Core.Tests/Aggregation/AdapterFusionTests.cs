using Modular.Aggregation;
using Modular.Computation;
using Modular.NN;
using Modular.Optim;
using Modular.Tensors;
using Modular.Tests.Support;
using Modular.Training;

namespace Modular.Tests.Aggregation;

/// <summary>
/// AdapterFusion: attention over the fused adapters' outputs, query from the host output h, keys and values from
/// each adapter's output oᵢ: Σᵢ softmax(Q(h)·K(oᵢ))·V(oᵢ). Only the fusion layers train.
/// </summary>
public sealed class AdapterFusionTests
{
    [Fact]
    public void Fusion_is_attention_over_the_adapter_outputs_with_the_query_from_the_host_output()
    {
        // a host whose output (6) is wider than its input (4): the fusion works on the output
        var net = new Sequential(new Linear(4, 6, new Rng(1)));
        var model = net.WithModules(seed: 2);
        model.Attach("0", new BottleneckAdapter(reduction: 2), "a").Attach("0", new BottleneckAdapter(reduction: 2), "b");
        var fuse = new Fuse("a", "b");
        model.Active = fuse;
        ModuleValues.Randomize(net, new Rng(3), std: 0.4f);
        var x = Tensor.Randn(new Rng(4), 3, 4);
        var y = net.Forward(x);

        var linear = (Linear)net.Layers[0];
        var h = x.Linear(linear.Weight, linear.Bias);
        var outputs = new[] { "a", "b" }.Select(n => model.Sites["0"].Find(n)!.Apply(x, h).ToArray()).ToArray();
        var fusion = fuse.LayersOf(model).Values.Single();
        var expected = new float[3 * 6];
        for (int row = 0; row < 3; row++)
        {
            var q = Affine(fusion.Query, h.ToArray().AsSpan(row * 6, 6));
            var scores = outputs.Select(o => Dot(q, Affine(fusion.Key, o.AsSpan(row * 6, 6)))).ToArray();
            var weights = scores.Select(s => Math.Exp(s - scores.Max())).ToArray();
            for (int i = 0; i < outputs.Length; i++)
            {
                var v = Affine(fusion.Value, outputs[i].AsSpan(row * 6, 6));
                for (int j = 0; j < 6; j++) expected[(row * 6) + j] += (float)(weights[i] / weights.Sum() * v[j]);
            }
        }
        NnAssert.Close(y, Tensor.FromArray(expected, 3, 6), 1e-5, 1e-6, "fusion");
        NnAssert.Close(fusion.LastWeights!.Sum(-1), Tensor.Ones(3), 1e-6, 1e-6, "attention weights sum to 1");
    }

    private static double[] Affine(Linear layer, ReadOnlySpan<float> input)
    {
        var result = new double[layer.OutFeatures];
        for (int o = 0; o < result.Length; o++)
        {
            result[o] = layer.Bias is null ? 0 : layer.Bias[o];
            for (int i = 0; i < input.Length; i++) result[o] += layer.Weight[o, i] * input[i];
        }
        return result;
    }

    private static double Dot(double[] a, double[] b) => a.Zip(b, (p, q) => p * q).Sum();

    [Fact]
    public void The_value_projection_starts_as_the_identity()
    {
        var fusion = new FusionLayer(3, new Rng(0));
        Assert.Equal([1f, 0, 0, 0, 1, 0, 0, 0, 1], fusion.Value.Weight.ToArray());
    }

    [Fact]
    public void Training_with_TrainOnly_and_TrainComposition_changes_only_the_fusion_layers()
    {
        var classifier = TransformerClassifier.Create(vocab: 10, dModel: 8, layers: 2, heads: 2, ff: 16, classes: 2, maxLength: 6, seed: 5);
        var model = classifier.WithModules(seed: 6);
        model.Attach(new BottleneckAdapter(reduction: 2), "a").Attach(new BottleneckAdapter(reduction: 2), "b");
        ModuleValues.Randomize(classifier, new Rng(7), std: 0.3f);
        var fuse = new Fuse("a", "b");
        model.Active = fuse;
        model.TrainOnly().TrainComposition();

        var fusionParameters = model.StateOf(fuse).Parameters.ToHashSet();
        Assert.Equal(2, fuse.LayersOf(model).Count); // one fusion layer per layer's feed-forward block
        Assert.Equal(fusionParameters, classifier.TrainableParameters().ToHashSet());
        var fusionPaths = classifier.NamedParameters().Where(e => fusionParameters.Contains(e.Parameter)).Select(e => e.Path).ToList();
        Assert.All(fusionPaths, p => Assert.Matches(@"^layers\.\d\.feedForward\.modules\.fusion\.", p));

        var rng = new Rng(8);
        var sequences = Enumerable.Range(0, 16).Select(_ => Enumerable.Range(0, 6).Select(_ => rng.NextInt(10)).ToArray()).ToList();
        var data = new SequenceDataset(sequences, sequences.Select(s => s[0] % 2).ToList(), batchSize: 8);
        var before = ModuleValues.Snapshot(classifier);
        new Trainer(model, new Adam(0.01f)).Fit(data);
        var changed = ModuleValues.Changed(before, ModuleValues.Snapshot(classifier));

        Assert.All(changed, p => Assert.Contains(p, fusionPaths));
        Assert.Contains(changed, p => p.EndsWith("fusion.query.weight", StringComparison.Ordinal));
        Assert.Contains(changed, p => p.EndsWith("fusion.key.weight", StringComparison.Ordinal));
        Assert.Contains(changed, p => p.EndsWith("fusion.value.weight", StringComparison.Ordinal));
    }

    [Fact]
    public void Fuse_needs_two_modules()
    {
        var error = Assert.Throws<ConfigurationException>(() => new Fuse("a"));
        Assert.Equal("Fuse needs at least two modules, got 1.", error.Message);
    }
}
