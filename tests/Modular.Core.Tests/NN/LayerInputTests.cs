using Modular.NN;
using Modular.Tensors;

namespace Modular.Tests.NN;

/// <summary>Wrong inputs to layers fail with typed errors that name the module (by path) and the shapes.</summary>
public sealed class LayerInputTests
{
    private static TransformerClassifier Model() => TransformerClassifier.Create(vocab: 20, dModel: 8, layers: 2, heads: 2, ff: 16, classes: 3, maxLength: 6);

    [Fact]
    public void Attention_with_the_wrong_model_dimension_names_its_path_and_the_shapes()
    {
        var attention = Model().Layers[1].Attention;
        var e = Assert.Throws<ShapeMismatchException>(() => attention.Forward(Tensor.Zeros(2, 5, 6)));
        Assert.Contains("MultiHeadSelfAttention 'layers.1.attention'", e.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 5, 6]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[batch, length, 8]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Attention_rejects_a_padding_mask_that_does_not_fit_the_batch()
    {
        var attention = Model().Layers[0].Attention;
        using var context = ForwardContext.Begin(Tensor.Ones(2, 4));
        var e = Assert.Throws<ShapeMismatchException>(() => attention.Forward(Tensor.Zeros(2, 5, 8)));
        Assert.Contains("'layers.0.attention'", e.Message, StringComparison.Ordinal);
        Assert.Contains("padding mask tensor [2, 4] must be [batch, length] = [2, 5]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_linear_layer_given_the_wrong_width_names_its_weight_path()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => Model().Layers[0].FeedForward.Down.Forward(Tensor.Zeros(3, 8)));
        Assert.Contains("'layers.0.feedForward.down.weight' [8, 16]", e.Message, StringComparison.Ordinal);
        Assert.Contains("must end in 16 features", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_layer_norm_of_the_wrong_width_names_its_parameters()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => Model().Layers[1].OutputNorm.Forward(Tensor.Zeros(2, 4)));
        Assert.Contains("'layers.1.outputNorm.weight' [8]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Token_ids_outside_the_vocabulary_name_the_id_and_the_table()
    {
        var e = Assert.Throws<IndexOutOfRangeModularException>(() => Model().Forward(IntTensor.FromArray(new[] { 1, 2, 20, 3 }, 1, 4)));
        Assert.Contains("Embedding: token id for the table 'embeddings.tokens.weight' [20, 8]", e.Message, StringComparison.Ordinal);
        Assert.Contains("is 20, outside [0, 20)", e.Message, StringComparison.Ordinal);
        Assert.Throws<IndexOutOfRangeModularException>(() => Model().Forward(IntTensor.FromArray(new[] { -1, 2 }, 1, 2)));
    }

    [Fact]
    public void A_sequence_longer_than_the_learned_positions_is_refused_with_the_remedy()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => Model().Forward(IntTensor.Zeros(2, 7)));
        Assert.Contains("TransformerEmbeddings 'embeddings'", e.Message, StringComparison.Ordinal);
        Assert.Contains("length 7", e.Message, StringComparison.Ordinal);
        Assert.Contains("6 learned positions", e.Message, StringComparison.Ordinal);
        Assert.Contains("maxLength", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Token_ids_must_be_a_batch_of_sequences()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => Model().Forward(IntTensor.Zeros(6)));
        Assert.Contains("token ids [6] must be [batch, length]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_classifier_rejects_a_mask_of_the_wrong_length()
    {
        var e = Assert.Throws<ShapeMismatchException>(() => Model().Forward(IntTensor.Zeros(2, 5), Tensor.Ones(2, 6)));
        Assert.Contains("padding mask", e.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 5]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_NaN_loss_stops_backward_with_a_NonFiniteValueException()
    {
        var model = Model();
        model.Head.Bias!.FillWith(float.NaN);
        var loss = Losses.CrossEntropy(model.Forward(IntTensor.Zeros(2, 6)), IntTensor.FromArray(new[] { 0, 1 }));
        var e = Assert.Throws<NonFiniteValueException>(loss.Backward);
        Assert.Contains("NaN", e.Message, StringComparison.Ordinal);
        Assert.Null(model.Head.Weight.Grad);
    }

    [Fact]
    public void An_infinite_loss_is_refused_too()
    {
        var x = new Parameter(Tensor.FromArray(new[] { 0f, 1f }));
        var loss = x.Log().Neg().Sum(); // −log 0 = ∞
        Assert.Throws<NonFiniteValueException>(loss.Backward);
    }

    [Theory]
    [InlineData(8, 3)]
    [InlineData(8, 0)]
    public void Attention_heads_must_divide_the_dimension(int dimension, int heads)
    {
        var e = Assert.Throws<ConfigurationException>(() => new MultiHeadSelfAttention(dimension, heads, new Rng(0)));
        Assert.Contains($"dimension {dimension} must be a positive multiple of heads ({heads})", e.Message, StringComparison.Ordinal);
    }
}
