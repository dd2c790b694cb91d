using Modular.NN;

namespace Modular.Tests.NN;

/// <summary>Addressing modules and parameters by dotted path and by pattern.</summary>
public sealed class ModulePathTests
{
    private static TransformerClassifier Model() => TransformerClassifier.Create(vocab: 20, dModel: 8, layers: 2, heads: 2, ff: 16, classes: 3, maxLength: 6);

    [Fact]
    public void Parameters_are_listed_by_dotted_path_depth_first()
    {
        var paths = Model().NamedParameters().Select(e => e.Path).ToList();
        Assert.Equal(
            ["embeddings.positions", "embeddings.tokens.weight", // a module's own parameters come before its children's
             "layers.0.attention.query.weight", "layers.0.attention.query.bias", "layers.0.attention.key.weight", "layers.0.attention.key.bias",
             "layers.0.attention.value.weight", "layers.0.attention.value.bias", "layers.0.attention.output.weight", "layers.0.attention.output.bias",
             "layers.0.attentionNorm.weight", "layers.0.attentionNorm.bias",
             "layers.0.feedForward.up.weight", "layers.0.feedForward.up.bias", "layers.0.feedForward.down.weight", "layers.0.feedForward.down.bias",
             "layers.0.outputNorm.weight", "layers.0.outputNorm.bias"],
            paths.Take(18));
        Assert.Equal(["head.weight", "head.bias"], paths.TakeLast(2));
        Assert.Equal(2 + 2 * 16 + 2, paths.Count);
    }

    [Fact]
    public void Get_walks_a_dotted_path_and_modules_know_their_own_path()
    {
        var model = Model();
        var query = model.Get("layers.1.attention.query");
        Assert.Same(model.Layers[1].Attention.Query, query);
        Assert.Equal("layers.1.attention.query", query.Path);
        Assert.Equal("Linear 'layers.1.attention.query'", query.Describe());
        Assert.Same(model, model.Get(""));
        Assert.Equal("", model.Path);
        Assert.Same(model.Layers[1].Attention, model.Get<MultiHeadSelfAttention>("layers.1.attention"));
    }

    [Fact]
    public void Parameters_carry_their_full_path_as_name_even_when_listed_from_a_submodule()
    {
        var model = Model();
        var (relative, weight) = model.Get("layers.1.feedForward").NamedParameters().First();
        Assert.Equal("up.weight", relative);
        Assert.Equal("layers.1.feedForward.up.weight", weight.Name);
    }

    [Fact]
    public void A_bad_path_names_the_missing_segment_and_lists_the_children_there()
    {
        var e = Assert.Throws<ModulePathException>(() => Model().Get("layers.0.atention.query"));
        Assert.Contains("'atention'", e.Message, StringComparison.Ordinal);
        Assert.Contains("under 'layers.0'", e.Message, StringComparison.Ordinal);
        Assert.Contains("attention, attentionNorm, feedForward, outputNorm", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_to_a_parameter_says_it_is_a_parameter_not_a_module()
    {
        var e = Assert.Throws<ModulePathException>(() => Model().Get("head.weight"));
        Assert.Contains("Children there: none", e.Message, StringComparison.Ordinal);
        Assert.Contains("parameters (not modules; see State()): weight, bias", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Get_of_the_wrong_type_names_both_types()
    {
        var e = Assert.Throws<ModulePathException>(() => Model().Get<LayerNorm>("layers.0.attention"));
        Assert.Contains("MultiHeadSelfAttention, not a LayerNorm", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Match_selects_modules_with_wildcards_and_alternatives()
    {
        var matched = Model().Match("layers.*.attention.query|value").Select(e => e.Path);
        Assert.Equal(["layers.0.attention.query", "layers.0.attention.value", "layers.1.attention.query", "layers.1.attention.value"], matched);
        Assert.Equal(["layers.0.attentionNorm", "layers.0.outputNorm", "layers.1.attentionNorm", "layers.1.outputNorm"],
            Model().Match("**.*Norm").Select(e => e.Path));
        Assert.Equal(["layers.1.feedForward.up"], Model().Match("layers.1.**.up").Select(e => e.Path));
    }

    [Fact]
    public void Match_with_no_hit_is_empty_and_never_includes_the_root()
    {
        Assert.Empty(Model().Match("layers.*.attention.gate"));
        Assert.Empty(Model().Match("**.bias")); // biases are parameters, not modules
        Assert.Equal(Model().NamedModules().Count() - 1, Model().Match("**").Count);
    }

    [Fact]
    public void MatchParameters_selects_parameters_by_pattern()
    {
        var model = Model();
        var biases = model.MatchParameters("**.bias");
        Assert.Equal(2 * 8 + 1, biases.Count); // per layer: 4 projections, 2 norms, 2 feed-forward; plus the head
        Assert.All(biases, e => Assert.EndsWith(".bias", e.Path, StringComparison.Ordinal));
        Assert.Equal(["layers.0.attention.query.weight", "layers.1.attention.query.weight"],
            model.MatchParameters("layers.*.attention.query.weight").Select(e => e.Path));
        Assert.Empty(model.MatchParameters("**.gamma"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("layers..query")]
    [InlineData(".layers")]
    public void Malformed_patterns_are_rejected(string pattern)
    {
        var e = Assert.Throws<ModulePathException>(() => Model().Match(pattern));
        Assert.Contains("pattern", e.Message, StringComparison.Ordinal);
    }
}
