using Modular.Computation;
using Modular.NN;
using Modular.Optim;
using Modular.Tensors;
using Modular.Training;

namespace Modular.Tests.Documentation;

/// <summary>The README's ten-line example, run as written (with a small synthetic task for its data), and the figures it quotes.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void The_ten_line_example_trains_merges_and_prints_the_parameter_count_the_readme_quotes()
    {
        var rng = new Rng(5);
        var sequences = Enumerable.Range(0, 32).Select(_ => Enumerable.Range(0, 16).Select(_ => rng.NextInt(1000)).ToArray()).ToList();
        var labels = sequences.Select(s => s.Count(t => t < 500) > 8 ? 1 : 0).ToList();
        var train = new SequenceDataset(sequences, labels, batchSize: 8);
        var dev = new SequenceDataset(sequences, labels, batchSize: 8, shuffle: false);

        var encoder = TransformerClassifier.Create(vocab: 1000, dModel: 256, layers: 4, heads: 4, ff: 1024, classes: 2);
        var model = encoder.WithModules()
            .Attach("layers.*.attention.query|value", new LoRA(rank: 8, alpha: 16), name: "sentiment")
            .TrainOnly("sentiment", "head");
        Assert.EndsWith("33,282 of 3,464,706 parameters train (0.96%)", model.ToString(), StringComparison.Ordinal);

        var trainer = new Trainer(model, new AdamW(lr: 1e-3f), options: new TrainerOptions { Epochs = 1 });
        var result = trainer.Fit(train, dev);
        Assert.NotEmpty(result.History.Records);

        var ids = IntTensor.FromArray(sequences[0], 1, 16);
        var before = model.Forward(ids).ToArray();
        model.Merge("sentiment");
        var after = model.Forward(ids).ToArray();
        for (int i = 0; i < before.Length; i++) Assert.Equal(before[i], after[i], 1e-4f);
    }
}
