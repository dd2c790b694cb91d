#:project ../src/Modular.Core/Modular.Core.csproj
#:property PublishAot=false
// Trains LoRA (rank 8 on the query and value projections) plus a classifier head on a frozen, randomly
// initialised Transformer, on a built-in toy task: is the majority of a sequence's tokens from the lower
// half of the vocabulary? Prints the loss and accuracy per epoch.
using Modular;
using Modular.Computation;
using Modular.NN;
using Modular.Optim;
using Modular.Tensors;

const int Vocabulary = 64, Length = 16, Examples = 512, Batch = 32;
var rng = new Rng(7);
var (ids, labels) = MakeToyTask(rng, Examples);

var encoder = TransformerClassifier.Create(vocab: Vocabulary, dModel: 64, layers: 2, heads: 4, ff: 128, classes: 2, maxLength: Length, seed: 0);
var model = encoder.WithModules()
    .Attach("layers.*.attention.query|value", new LoRA(rank: 8, alpha: 16), name: "majority")
    .TrainOnly("majority", "head");
Console.WriteLine(model);

var optimizer = new AdamW(lr: 3e-3f, parameters: encoder.TrainableParameters());
for (int epoch = 1; epoch <= 8; epoch++)
{
    double lossSum = 0; int correct = 0;
    for (int start = 0; start < Examples; start += Batch)
    {
        using var scope = TensorScope.Begin();
        var x = ids.Narrow(0, start, Batch);
        var y = labels.Skip(start).Take(Batch).ToArray();
        var logits = encoder.Forward(IntTensor.FromArray(x.Span.ToArray().Select(v => (int)v).ToArray(), Batch, Length));
        var loss = Losses.CrossEntropy(logits, IntTensor.FromArray(y));
        loss.Backward();
        optimizer.Step();
        optimizer.ZeroGrad();
        lossSum += loss.Item() * Batch;
        for (int i = 0; i < Batch; i++) correct += (logits[i, 1] > logits[i, 0] ? 1 : 0) == y[i] ? 1 : 0;
    }
    Console.WriteLine($"epoch {epoch}: loss {lossSum / Examples:F4}, accuracy {100.0 * correct / Examples:F1}%");
}

static (Tensor Ids, int[] Labels) MakeToyTask(Rng rng, int n)
{
    var ids = Tensor.Zeros(n, Length);
    var labels = new int[n];
    for (int i = 0; i < n; i++)
    {
        int low = 0;
        for (int t = 0; t < Length; t++)
        {
            int token = rng.NextInt(Vocabulary);
            ids[i, t] = token;
            if (token < Vocabulary / 2) low++;
        }
        labels[i] = low * 2 > Length ? 1 : 0;
    }
    return (ids, labels);
}
