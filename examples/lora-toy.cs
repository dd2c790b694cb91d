#:project ../src/Modular.Core/Modular.Core.csproj
#:property PublishAot=false
// LoRA (rank 8 on the query and value projections) plus a classifier head on a frozen, randomly initialised
// Transformer, on a built-in toy task: are most of a sequence's tokens from the lower half of the vocabulary?
//   dotnet run -c Release examples/lora-toy.cs
using Modular;
using Modular.Computation;
using Modular.NN;
using Modular.Optim;
using Modular.Tensors;
using Modular.Training;

const int Vocabulary = 64, Length = 16;
var rng = new Rng(7);
var sequences = Enumerable.Range(0, 512).Select(_ => Enumerable.Range(0, Length).Select(_ => rng.NextInt(Vocabulary)).ToArray()).ToList();
var labels = sequences.Select(s => s.Count(t => t < Vocabulary / 2) * 2 > Length ? 1 : 0).ToList();
var train = new SequenceDataset(sequences, labels, batchSize: 32);

var encoder = TransformerClassifier.Create(vocab: Vocabulary, dModel: 64, layers: 2, heads: 4, ff: 128, classes: 2, maxLength: Length);
var model = encoder.WithModules()
    .Attach("layers.*.attention.query|value", new LoRA(rank: 8, alpha: 16), name: "majority")
    .TrainOnly("majority", "head");
Console.WriteLine(model);

var trainer = new Trainer(model, new AdamW(lr: 3e-3f));
for (int epoch = 1; epoch <= 8; epoch++)
{
    var run = trainer.Fit(train.With(seed: epoch));
    var evaluation = trainer.Evaluate(train.With(shuffle: false));
    Console.WriteLine($"epoch {epoch}: training loss {run.History.Records.Average(r => r.Loss ?? 0):F4}, accuracy {evaluation["accuracy"]:P1}");
}
