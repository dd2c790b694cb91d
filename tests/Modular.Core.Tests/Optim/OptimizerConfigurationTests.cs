using Modular.NN;
using Modular.Optim;
using Modular.Tensors;

namespace Modular.Tests.Optim;

/// <summary>Optimisers refuse configurations that would silently do the wrong thing.</summary>
public sealed class OptimizerConfigurationTests
{
    private static TransformerClassifier Model() => TransformerClassifier.Create(vocab: 20, dModel: 8, layers: 1, heads: 2, ff: 16, classes: 3, maxLength: 6);

    [Fact]
    public void A_frozen_parameter_is_refused_by_path_with_the_remedy()
    {
        var model = Model();
        model.Get("layers.0.attention").Freeze();
        foreach (var create in new Func<IEnumerable<Parameter>, Optimizer>[] { p => new Sgd(0.1f, parameters: p), p => new Adam(parameters: p), p => new AdamW(parameters: p) })
        {
            var e = Assert.Throws<ConfigurationException>(() => create(model.Parameters()));
            Assert.Contains("'layers.0.attention.query.weight' [8, 8] is frozen", e.Message, StringComparison.Ordinal);
            Assert.Contains("TrainableParameters()", e.Message, StringComparison.Ordinal);
        }
        Assert.Equal(model.TrainableParameters().Count(), new AdamW(parameters: model.TrainableParameters()).Parameters.Count());
    }

    [Fact]
    public void A_parameter_in_two_groups_is_refused()
    {
        var model = Model();
        var optimizer = new AdamW(parameters: model.Head.Parameters());
        var e = Assert.Throws<ConfigurationException>(() => optimizer.Add(model.MatchParameters("head.bias").Select(m => m.Parameter), learningRate: 1e-2f));
        Assert.Contains("'head.bias' appears in more than one group", e.Message, StringComparison.Ordinal);
        Assert.Single(optimizer.Groups);
    }

    [Fact]
    public void Stepping_without_parameters_says_how_to_add_them()
    {
        var e = Assert.Throws<ConfigurationException>(() => new Adam().Step());
        Assert.Contains("no parameters", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_hyper_parameters_are_refused()
    {
        Assert.Throws<ConfigurationException>(() => new Sgd(-0.1f));
        Assert.Throws<ConfigurationException>(() => new Sgd(float.NaN));
        Assert.Throws<ConfigurationException>(() => new Sgd(float.PositiveInfinity));
        Assert.Throws<ConfigurationException>(() => new Sgd(0.1f, momentum: -0.5f));
        Assert.Throws<ConfigurationException>(() => new Sgd(0.1f, weightDecay: -1f));
        Assert.Contains("Nesterov", Assert.Throws<ConfigurationException>(() => new Sgd(0.1f, nesterov: true)).Message, StringComparison.Ordinal);
        Assert.Throws<ConfigurationException>(() => new Sgd(0.1f, momentum: 0.9f, dampening: 0.1f, nesterov: true));
        Assert.Throws<ConfigurationException>(() => new Adam(beta1: 1.0));
        Assert.Throws<ConfigurationException>(() => new AdamW(beta2: -0.1));
        Assert.Throws<ConfigurationException>(() => new Adam(eps: -1e-8f));
    }

    [Fact]
    public void Sgd_with_weight_decay_takes_the_hand_computed_step()
    {
        var p = new Parameter(Tensor.FromArray(new[] { 1f, -2f })) { Grad = Tensor.FromArray(new[] { 0.5f, 0.25f }) };
        new Sgd(0.1f, weightDecay: 0.1f, parameters: [p]).Step();
        // d = g + wd·p = [0.6, 0.05]; p ← p − lr·d
        Assert.Equal(new[] { 0.94f, -2.005f }, p.ToArray());
    }

    [Fact]
    public void An_optimiser_step_records_no_graph()
    {
        var p = new Parameter(Tensor.FromArray(new[] { 1f })) { Grad = Tensor.FromArray(new[] { 1f }) };
        new AdamW(parameters: [p]).Step();
        Assert.True(p.IsLeaf);
        Assert.True(p.RequiresGrad);
    }
}
