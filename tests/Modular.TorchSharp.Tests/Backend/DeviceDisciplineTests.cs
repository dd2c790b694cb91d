using Modular.NN;
using Modular.Optim;
using Modular.Reports;
using Modular.Tensors;
using Modular.Training;
using TorchSharp;

namespace Modular.TorchSharp.Tests.Backend;

/// <summary>
/// What a training step on a libtorch device may cost beyond its kernels: host reads (counted), native tensors that
/// outlive the step (counted), resident memory; and what mixing devices gives (a typed error naming both).
/// </summary>
/// <remarks>Alone in a collection that runs after the parallel ones: host reads and live tensors are counted process-wide.</remarks>
[Collection(nameof(ProcessWideCounts))]
public class DeviceDisciplineTests
{
    /// <summary>Calls back synchronously after every step (<see cref="Progress{T}"/> would post to a context).</summary>
    private sealed class EveryStep(Action<TrainingProgress> action) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => action(value);
    }

    private static List<long> ReadsPerStep(string method, int steps)
    {
        var model = TrainingEquivalenceTests.Build(method).To(BothDevices.Torch);
        model.Trace = null; // a routing trace copies every decision to the host: not part of a step's cost
        var reads = new List<long>();
        long before = Device.HostReads;
        var trainer = new Trainer(model, new AdamW(lr: 1e-2f), options: new TrainerOptions { Epochs = 10, MaxSteps = steps })
        {
            Progress = new EveryStep(_ =>
            {
                reads.Add(Device.HostReads - before);
                before = Device.HostReads;
            }),
        };
        trainer.Fit(TrainingEquivalenceTests.Data());
        return reads;
    }

    [Theory]
    [InlineData("lora", 1)]
    [InlineData("prefix", 1)]
    [InlineData("polytropon", 1)]
    [InlineData("moe", 3)] // the loss with the gradient norm, and the chosen experts at each of the 2 top-k sites
    public void A_training_step_reads_the_device_only_for_the_loss_and_each_top_k_sites_choices(string method, int expected)
    {
        var reads = ReadsPerStep(method, 6);
        Assert.Equal(Enumerable.Repeat((long)expected, 6), reads);
    }

    [Fact]
    public void Two_hundred_steps_keep_the_live_libtorch_tensors_constant_and_resident_memory_bounded()
    {
        var model = TrainingEquivalenceTests.Build("lora").To(BothDevices.Torch);
        var live = new List<long>();
        long residentAt10 = 0, residentAt200 = 0;
        var trainer = new Trainer(model, new AdamW(lr: 1e-3f), options: new TrainerOptions { Epochs = 100, MaxSteps = 200 })
        {
            Progress = new EveryStep(p =>
            {
                if (p.Step is 1 or 10 or 200)
                {
                    // what earlier code left to the finaliser goes first; from then on nothing may be left to it
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    using var self = System.Diagnostics.Process.GetCurrentProcess();
                    if (p.Step == 10) residentAt10 = self.WorkingSet64;
                    if (p.Step == 200) residentAt200 = self.WorkingSet64;
                }
                live.Add(torch.Tensor.TotalCount);
            }),
        };
        trainer.Fit(TrainingEquivalenceTests.Data());
        Assert.Equal(200, live.Count);
        // every libtorch tensor a step makes is disposed by the step (the first step made the optimiser's state)
        Assert.All(live, count => Assert.Equal(live[0], count));
        const long Bound = 64L << 20;
        Assert.True(residentAt200 - residentAt10 < Bound, $"resident memory grew by {(residentAt200 - residentAt10) >> 20} MiB from step 10 to step 200 (bound {Bound >> 20} MiB)");
    }

    [Fact]
    public void Mixing_devices_in_one_operation_names_both_devices_and_both_tensors()
    {
        using var scope = TensorScope.Begin();
        var onHost = Tensor.FromArray([1f, 2f, 3f], [3], Device.Cpu);
        onHost.Name = "host values";
        var onTorch = Tensor.FromArray([1f, 2f, 3f], [3], BothDevices.Torch);
        var error = Assert.Throws<DeviceMismatchException>(() => onHost.Add(onTorch));
        Assert.Contains("'host values'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'cpu'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'torch:cpu'", error.Message, StringComparison.Ordinal);
        Assert.Contains(".To(device)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_padding_mask_moves_to_the_device_once_per_forward_pass()
    {
        using var scope = TensorScope.Begin();
        var hostMask = Tensor.FromArray([1f, 1f, 0f, 1f], [2, 2], Device.Cpu);
        var another = Tensor.FromArray([1f, 1f, 0f, 1f], [2, 2], Device.Cpu);
        using (var context = ForwardContext.BeginOn(BothDevices.Torch, hostMask, metadata: null))
        {
            // what the trainer opened is what ModularModel.Forward inside it gets for the same host mask: no second upload
            Assert.Same(context.PaddingMask, PaddingMask.ValidatedOn(hostMask, BothDevices.Torch));
            Assert.NotSame(context.PaddingMask, PaddingMask.ValidatedOn(another, BothDevices.Torch));
            Assert.Same(hostMask, PaddingMask.ValidatedOn(hostMask, Device.Cpu));
        }
        Assert.NotSame(hostMask, PaddingMask.ValidatedOn(hostMask, BothDevices.Torch));
        var broken = Tensor.FromArray([1f, 0.5f], [1, 2], Device.Cpu);
        Assert.Throws<ConfigurationException>(() => ForwardContext.BeginOn(BothDevices.Torch, broken, metadata: null));
    }

    [Fact]
    public void A_layer_left_on_the_host_names_its_parameters_path_when_the_input_is_on_a_device()
    {
        var model = TrainingEquivalenceTests.Build("lora").To(BothDevices.Torch);
        model.Base.Get("head").To(Device.Cpu);
        var batch = TrainingEquivalenceTests.Data(shuffle: false).Epoch(0).First();
        using var scope = TensorScope.Begin();
        var error = Assert.Throws<DeviceMismatchException>(() => model.Forward(batch.Ids, batch.PaddingMask, batch.Metadata));
        Assert.Contains("'head.", error.Message, StringComparison.Ordinal);
        Assert.Contains("'torch:cpu'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cuda_without_a_cuda_build_is_a_typed_error_that_says_what_to_install()
    {
        if (torch.cuda.is_available()) return; // a CUDA machine: the error cannot happen there
        var error = Assert.Throws<TorchDeviceException>(() => Device.Torch("cuda:0"));
        Assert.Contains("TorchSharp-cuda-linux", error.Message, StringComparison.Ordinal);
        Assert.Throws<TorchDeviceException>(() => Device.Torch("tpu"));
        Assert.Same(Device.Torch("cpu"), Device.Torch(" cpu "));
        Assert.Equal("torch:cpu", Device.Torch().Name);
    }

    [Fact]
    public void Optimiser_state_and_gradients_follow_a_model_that_moves_between_devices()
    {
        var model = TrainingEquivalenceTests.Build("adapter");
        var optimizer = new AdamW(lr: 1e-2f);
        var trainer = new Trainer(model, optimizer, options: new TrainerOptions { MaxSteps = 3, Epochs = 3 });
        trainer.Fit(TrainingEquivalenceTests.Data());
        model.To(BothDevices.Torch);
        Assert.All(model.Base.Parameters(), p => Assert.Same(BothDevices.Torch, p.Device));
        new Trainer(model, optimizer, options: new TrainerOptions { MaxSteps = 3, Epochs = 3 }).Fit(TrainingEquivalenceTests.Data());
        Assert.All(optimizer.State().Where(e => !e.Key.EndsWith(".step", StringComparison.Ordinal)), e => Assert.Same(BothDevices.Torch, e.Value.Device));
        model.To(Device.Cpu);
        Assert.All(model.Base.Parameters(), p => Assert.Same(Device.Cpu, p.Device));
    }
}

/// <summary>Tests that count process-wide quantities, run alone.</summary>
[CollectionDefinition(nameof(ProcessWideCounts), DisableParallelization = true)]
public sealed class ProcessWideCounts;
