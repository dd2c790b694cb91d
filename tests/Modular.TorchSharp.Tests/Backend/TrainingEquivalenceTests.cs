using Modular.Aggregation;
using Modular.CaseStudies;
using Modular.Computation;
using Modular.NN;
using Modular.Optim;
using Modular.Reports;
using Modular.Tensors;
using Modular.Training;

namespace Modular.TorchSharp.Tests.Backend;

/// <summary>
/// 20 training steps of each kind of module on the CPU engine and on libtorch give the same losses (to 1e-4
/// relative) and, for learned routing, the same decisions; a module trained on libtorch saves and loads back on the
/// CPU engine with equal outputs.
/// </summary>
public class TrainingEquivalenceTests
{
    private const int Vocab = 40, Classes = 3, Tasks = 3, Examples = 24, Steps = 20;

    /// <summary>Token sequences of 5–11 tokens (so batches are padded) with a label from their content and a task id.</summary>
    internal static SequenceDataset Data(bool shuffle = true)
    {
        var rng = new Random(4);
        var texts = Enumerable.Range(0, Examples).Select(_ => Enumerable.Range(0, rng.Next(5, 12)).Select(_ => 1 + rng.Next(Vocab - 1)).ToArray()).ToArray();
        var labels = texts.Select(t => t.Sum() % Classes).ToArray();
        var metadata = new Dictionary<string, int[]>
        {
            ["task"] = [.. Enumerable.Range(0, Examples).Select(i => i % Tasks)],
            ["example"] = [.. Enumerable.Range(0, Examples)],
        };
        return new SequenceDataset(texts, labels, metadata, batchSize: 8, shuffle: shuffle, seed: 1);
    }

    internal static ModularModel Build(string method)
    {
        var encoder = TransformerClassifier.Create(vocab: Vocab, dModel: 16, layers: 2, heads: 2, ff: 32, classes: Classes, maxLength: 16, seed: 5);
        switch (method)
        {
            case "lora":
                return encoder.WithModules(seed: 2).Attach("layers.*.attention.query|value", new LoRA(rank: 4, alpha: 8), "m").TrainOnly("m", "head");
            case "adapter":
                return encoder.WithModules(seed: 2).Attach(new BottleneckAdapter(reduction: 4), "m").TrainOnly("m", "head");
            case "prefix":
                return encoder.WithModules(seed: 2).Attach(new PrefixTuning(tokens: 3), "m").TrainOnly("m", "head");
            case "polytropon":
            {
                var model = encoder.WithModules(seed: 2);
                Polytropon.Build(model, tasks: Tasks, skills: 4, rank: 2, seed: 3, alsoTrain: "head");
                return model;
            }
            case "moe":
                return MoeTransformer.Create(Vocab, dModel: 16, layers: 2, heads: 2, ff: 16, classes: Classes, experts: 4, topK: 2,
                    capacityFactor: 1.0f, maxLength: 16, seed: 5, routeLabelKey: "example", routeLabelNames: [.. Enumerable.Range(0, Examples).Select(i => $"{i}")]);
            default:
                throw new ArgumentOutOfRangeException(nameof(method));
        }
    }

    private sealed record Run(double[] Losses, float[] Outputs, IReadOnlyList<double[,]> Routing);

    private static Run Train(string method, Device device)
    {
        var model = Build(method).To(device);
        var result = new Trainer(model, new AdamW(lr: 1e-2f), options: new TrainerOptions { Epochs = 10, MaxSteps = Steps, Seed = 7 }).Fit(Data());
        Assert.Equal(Steps, result.Steps);
        // one evaluation pass that records every routing decision, per example
        model.Trace = model.Trace is { LabelKey: "example" } ? model.Trace : new RoutingTrace("example", [.. Enumerable.Range(0, Examples).Select(i => $"{i}")]);
        model.Trace.Clear();
        model.Base.Eval();
        var outputs = new List<float>();
        using (Tensors.Autograd.GradMode.NoGrad())
            foreach (var batch in Data(shuffle: false).Epoch(0))
            {
                using var scope = TensorScope.Begin();
                var logits = model.Forward(batch.Ids, batch.PaddingMask, batch.Metadata);
                Assert.Same(device, logits.Device);
                outputs.AddRange(logits.ToArray());
            }
        var routing = model.Trace.Sites.Select(s => s.ModuleByLabel()).ToList();
        return new Run([.. result.History.Records.Select(r => r.Loss ?? double.NaN)], [.. outputs], routing);
    }

    [Theory]
    [InlineData("lora")]
    [InlineData("adapter")]
    [InlineData("prefix")]
    [InlineData("polytropon")]
    [InlineData("moe")]
    public void Twenty_steps_give_the_same_losses_and_routing_on_both_backends(string method)
    {
        var cpu = Train(method, Device.Cpu);
        var torch = Train(method, BothDevices.Torch);
        Assert.Equal(Steps, cpu.Losses.Length);
        for (int i = 0; i < Steps; i++)
            Assert.True(Math.Abs(cpu.Losses[i] - torch.Losses[i]) <= 1e-4 * Math.Abs(cpu.Losses[i]), $"{method}, step {i + 1}: CPU engine loss {cpu.Losses[i]:R}, torch {torch.Losses[i]:R}");
        Assert.True(cpu.Losses[^1] < cpu.Losses[0], $"{method}: the loss fell from {cpu.Losses[0]:F4} to {cpu.Losses[^1]:F4} in {Steps} steps");
        BothDevices.AssertClose(cpu.Outputs, torch.Outputs, $"{method}: logits after training");
        Assert.Equal(cpu.Routing.Count, torch.Routing.Count);
        if (method == "moe") Assert.Equal(2, cpu.Routing.Count);
        for (int s = 0; s < cpu.Routing.Count; s++)
        {
            // hard routing (the mixture's top-2 with capacity): expert × example counts, exactly; soft (Polytropon's
            // allocation): the recorded weights to 1e-4
            var (expected, actual) = (cpu.Routing[s].Cast<double>().ToArray(), torch.Routing[s].Cast<double>().ToArray());
            if (method == "moe") Assert.Equal(expected, actual);
            else for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 * (Math.Abs(expected[i]) + 1e-3), $"routing weight {i}: {expected[i]} vs {actual[i]}");
        }
    }

    [Fact]
    public void A_module_trained_on_libtorch_saves_and_loads_on_the_cpu_engine_with_equal_outputs()
    {
        using var directory = new TempDirectory();
        var trained = Build("lora").To(BothDevices.Torch);
        new Trainer(trained, new AdamW(lr: 1e-2f), options: new TrainerOptions { MaxSteps = 5, Epochs = 5 }).Fit(Data());
        string path = Path.Combine(directory.Path, "m.safetensors");
        trained.SaveModule("m", path, "head"); // the module and the head it trained with

        var loaded = Build("lora").Remove("m");
        loaded.LoadModule(path, "m");
        var batch = Data(shuffle: false).Epoch(0).First();
        using var scope = TensorScope.Begin();
        using var noGrad = Tensors.Autograd.GradMode.NoGrad();
        trained.Base.Eval();
        loaded.Base.Eval();
        var onTorch = trained.Forward(batch.Ids, batch.PaddingMask, batch.Metadata).ToArray();
        var onCpu = loaded.Forward(batch.Ids, batch.PaddingMask, batch.Metadata);
        Assert.Same(Device.Cpu, onCpu.Device);
        BothDevices.AssertClose(onCpu.ToArray(), onTorch, "logits of the loaded module");
        Assert.NotEqual(Build("lora").Forward(batch.Ids, batch.PaddingMask, batch.Metadata).ToArray(), onCpu.ToArray()); // training changed something
    }
}
