using System.Text.Json.Nodes;
using Modular.Computation;
using Modular.NN;
using Modular.Optim;
using Modular.Tensors;
using Modular.Tensors.Autograd;
using static Modular.Benchmarks.BenchmarkConfig;

namespace Modular.Benchmarks;

/// <summary>
/// The anchor's Transformer classifier cases: <c>lora</c> (LoRA r 8 on q and v, base frozen; also forward-only),
/// <c>full</c> (every parameter trains) and <c>adapter</c> (a Pfeiffer bottleneck adapter after each feed-forward block).
/// A training step is cross-entropy, backward, AdamW (lr 1e-4, weight decay 0.01), gradients dropped — inside a tensor
/// scope, as the trainer runs it, so activations return to the buffer pool.
/// </summary>
/// On a libtorch device the model moves there after it is built; ids and labels stay in host memory, as a data loader's do.
internal sealed class ClassifierCase(string mode, Device device) : IBenchmarkCase
{
    public string Name => mode;

    public void Run(int threads, TimingProtocol protocol, Action<JsonObject> report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var classifier = TransformerClassifier.Create(Vocabulary, Dimension, Layers, Heads, FeedForwardWidth, Classes, SequenceLength, Seed);
        var model = classifier.WithModules();
        if (mode == "lora") model.Attach("layers.*.attention.query|value", new LoRA(LoraRank, LoraAlpha), "lora").TrainOnly("lora", "head");
        if (mode == "adapter") model.Attach(new BottleneckAdapter(AdapterReduction), "adapter").TrainOnly("adapter", "head");
        model.To(device);
        var optimizer = new AdamW(1e-4f, 0.9f, 0.999f, 1e-8f, 0.01f, classifier.TrainableParameters());
        var rng = new Rng(Seed + 1);
        var ids = IntTensor.Zeros(Batch, SequenceLength);
        for (int i = 0; i < ids.Count; i++) ids.Span[i] = rng.NextInt(Vocabulary);
        var labels = IntTensor.Zeros(Batch);
        for (int i = 0; i < Batch; i++) labels.Span[i] = rng.NextInt(Classes);

        void Step()
        {
            using var scope = TensorScope.Begin();
            Losses.CrossEntropy(classifier.Forward(ids), labels).Backward();
            optimizer.Step();
            optimizer.ZeroGrad();
        }

        int multiplier = mode == "full" ? 3 : 2; // full: forward, dX, dW; frozen base: forward and dX (the anchor's estimate)
        report(ModelStep.Measure($"{mode}_train_step", threads, protocol, Step, "steps_per_s", Batch * SequenceLength, multiplier * ModelForwardFlops, "ms_per_step_median"));
        if (mode != "lora") return;
        classifier.Eval();
        report(ModelStep.Measure("lora_forward_only", threads, protocol, () =>
        {
            using var scope = TensorScope.Begin();
            using var noGrad = GradMode.NoGrad();
            classifier.Forward(ids);
        }, "batches_per_s", Batch * SequenceLength, ModelForwardFlops, "ms_per_batch_median"));
    }
}
