using Modular.NN;
using Modular.Tensors;

namespace Modular.Tests.NN;

/// <summary>Freezing, training/evaluation mode and parameter counts.</summary>
public sealed class ModuleModeTests
{
    private const int Vocab = 20, D = 8, Layers = 2, Ff = 16, Classes = 3, MaxLength = 6;

    private static TransformerClassifier Model(float dropout = 0f) =>
        TransformerClassifier.Create(vocab: Vocab, dModel: D, layers: Layers, heads: 2, ff: Ff, classes: Classes, maxLength: MaxLength, dropout: dropout);

    private const long EmbeddingCount = Vocab * D + MaxLength * D;
    private const long LayerCount = 4 * (D * D + D) + 2 * 2 * D + (D * Ff + Ff) + (Ff * D + D);
    private const long TotalCount = EmbeddingCount + Layers * LayerCount + D * Classes + Classes;

    [Fact]
    public void Counts_add_up_by_formula()
    {
        var model = Model();
        Assert.Equal(TotalCount, model.ParameterCount);
        Assert.Equal(TotalCount, model.TrainableParameterCount);
        Assert.Equal(LayerCount, model.Get("layers.1").ParameterCount);
        Assert.Equal(15, new Linear(4, 3, new Rng(0)).ParameterCount);
        Assert.Equal(12, new Linear(4, 3, new Rng(0), bias: false).ParameterCount);
    }

    [Fact]
    public void Freezing_a_subtree_stops_its_gradients_and_unfreezing_restores_them()
    {
        var model = Model();
        model.Get("embeddings").Freeze();
        Assert.Equal(TotalCount - EmbeddingCount, model.TrainableParameterCount);
        Assert.Equal(TotalCount, model.ParameterCount);
        Assert.DoesNotContain(model.Embeddings.Positions, model.TrainableParameters());

        Loss(model).Backward();
        Assert.Null(model.Embeddings.Positions.Grad);
        Assert.Null(model.Embeddings.Tokens.Weight.Grad);
        Assert.NotNull(model.Layers[0].Attention.Query.Weight.Grad);

        model.Get("embeddings").Unfreeze();
        model.ZeroGrad();
        Loss(model).Backward();
        Assert.NotNull(model.Embeddings.Positions.Grad);
        Assert.Equal(TotalCount, model.TrainableParameterCount);
    }

    [Fact]
    public void Freezing_drops_a_gradient_already_accumulated()
    {
        var model = Model();
        Loss(model).Backward();
        Assert.NotNull(model.Head.Weight.Grad);
        model.Head.Freeze();
        Assert.Null(model.Head.Weight.Grad);
    }

    [Fact]
    public void Eval_and_train_reach_every_descendant()
    {
        var model = Model(dropout: 0.1f);
        model.Eval();
        Assert.All(model.NamedModules(), e => Assert.False(e.Module.Training, e.Path));
        model.Get("layers.1").Train();
        Assert.True(model.Get("layers.1.attention.dropout").Training);
        Assert.False(model.Get("layers.0.attention.dropout").Training);
        model.Train();
        Assert.All(model.NamedModules(), e => Assert.True(e.Module.Training, e.Path));
    }

    [Fact]
    public void Dropout_acts_in_training_and_is_the_identity_in_evaluation()
    {
        var dropout = new Dropout(0.5f, new Rng(3));
        using var x = Tensor.Ones(1000);
        var trained = dropout.Forward(x).ToArray();
        Assert.All(trained, v => Assert.True(v is 0f or 2f, $"{v}")); // dropped, or scaled by 1/(1 − p)
        Assert.InRange(trained.Count(v => v == 0f), 400, 600);

        dropout.Eval();
        Assert.Equal(x.ToArray(), dropout.Forward(x).ToArray());
    }

    [Fact]
    public void A_model_with_dropout_is_deterministic_only_in_evaluation()
    {
        var model = Model(dropout: 0.3f);
        var ids = Ids();
        float[] Run() => model.Forward(ids).ToArray();
        Assert.NotEqual(Run(), Run());
        model.Eval();
        Assert.Equal(Run(), Run());
    }

    private static IntTensor Ids() => IntTensor.FromArray(new[] { 1, 5, 7, 2, 0, 3, 19, 4, 4, 8, 11, 6 }, 2, MaxLength);

    private static Tensor Loss(TransformerClassifier model) => Losses.CrossEntropy(model.Forward(Ids()), IntTensor.FromArray(new[] { 0, 2 }));
}
