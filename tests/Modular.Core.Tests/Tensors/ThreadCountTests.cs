using Modular.Computation;
using Modular.NN;
using Modular.Optim;
using Modular.Tensors;
using Modular.Tensors.Kernels;

namespace Modular.Tests.Tensors;

public class ThreadCountTests
{
    /// <summary>Two training steps of a model big enough for every kernel to split its work (2,048 tokens, d 128).</summary>
    private static (float[] Losses, float[] Parameters) TrainTwoSteps(int threads)
    {
        int saved = ComputeThreads.Count;
        ComputeThreads.Count = Math.Min(threads, Environment.ProcessorCount);
        try
        {
            var classifier = TransformerClassifier.Create(vocab: 300, dModel: 128, layers: 2, heads: 4, ff: 512, classes: 3, maxLength: 64, seed: 5);
            var model = classifier.WithModules()
                .Attach("layers.*.attention.query|value", new LoRA(rank: 8, alpha: 16), "lora")
                .Attach(new BottleneckAdapter(reduction: 8), "adapter");
            model.Active = new global::Modular.Aggregation.Stack("lora", "adapter");
            model.TrainOnly("lora", "adapter", "head", "layers.1.outputNorm");
            var optimizer = new AdamW(1e-3f, parameters: classifier.TrainableParameters());
            var rng = new Rng(9);
            var ids = IntTensor.Zeros(32, 64);
            for (int i = 0; i < ids.Count; i++) ids.Span[i] = rng.NextInt(300);
            var labels = IntTensor.FromArray([.. Enumerable.Range(0, 32).Select(i => i % 3)]);
            var losses = new float[2];
            for (int step = 0; step < 2; step++)
            {
                using var scope = TensorScope.Begin();
                var loss = Losses.CrossEntropy(classifier.Forward(ids), labels);
                loss.Backward();
                optimizer.Step();
                optimizer.ZeroGrad();
                losses[step] = loss.Item();
            }
            return (losses, classifier.TrainableParameters().SelectMany(p => p.ToArray()).ToArray());
        }
        finally
        {
            ComputeThreads.Count = saved;
        }
    }

    [Fact]
    public void A_training_step_gives_the_same_losses_and_parameters_on_one_and_two_threads()
    {
        var one = TrainTwoSteps(1);
        var two = TrainTwoSteps(2);
        for (int i = 0; i < one.Losses.Length; i++)
            Assert.True(Math.Abs(one.Losses[i] - two.Losses[i]) <= 1e-5f * Math.Abs(one.Losses[i]), $"step {i}: loss {one.Losses[i]} on one thread, {two.Losses[i]} on two");
        Assert.Equal(one.Parameters.Length, two.Parameters.Length);
        double worst = 0;
        for (int i = 0; i < one.Parameters.Length; i++)
        {
            double difference = Math.Abs(one.Parameters[i] - two.Parameters[i]);
            worst = Math.Max(worst, difference / Math.Max(Math.Abs(one.Parameters[i]), 1e-3));
        }
        Assert.True(worst <= 1e-5, $"parameters differ by up to {worst:E2} (relative) between one and two threads");
    }
}
