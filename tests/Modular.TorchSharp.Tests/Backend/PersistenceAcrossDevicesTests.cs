using Modular.Tensors;
using Modular.Training;
using Modular.Optim;

namespace Modular.TorchSharp.Tests.Backend;

/// <summary>Checkpoints and PEFT exports written from a libtorch device copy to the host explicitly and read back on either backend.</summary>
public class PersistenceAcrossDevicesTests
{
    private static double[] Losses(TrainingResult result) => [.. result.History.Records.Select(r => r.Loss ?? double.NaN)];

    private static Trainer Trainer(Device device, TrainerOptions options) =>
        new(TrainingEquivalenceTests.Build("moe").To(device), new AdamW(lr: 1e-2f), options: options);

    [Theory]
    [InlineData("torch-cpu")]
    [InlineData("cpu")]
    public void A_run_checkpointed_on_libtorch_resumes_on_either_backend_with_the_losses_of_an_uninterrupted_run(string resumeOn)
    {
        using var directory = new TempDirectory();
        var path = directory.File("run.safetensors");
        var torch = BothDevices.Torch;
        var uninterrupted = Losses(Trainer(torch, new TrainerOptions { Epochs = 3, Seed = 5 }).Fit(TrainingEquivalenceTests.Data()));
        var first = Trainer(torch, new TrainerOptions { Epochs = 3, Seed = 5, MaxSteps = 4, CheckpointPath = path }).Fit(TrainingEquivalenceTests.Data());
        var rest = Trainer(TorchDevices.Named(resumeOn), new TrainerOptions { Epochs = 3, Seed = 5, CheckpointPath = path, Resume = true }).Fit(TrainingEquivalenceTests.Data());
        var resumed = Losses(first).Concat(Losses(rest)).ToArray();
        Assert.Equal(uninterrupted.Length, resumed.Length);
        for (int i = 0; i < resumed.Length; i++)
            Assert.True(Math.Abs(resumed[i] - uninterrupted[i]) <= 1e-4 * Math.Abs(uninterrupted[i]), $"step {i + 1}: resumed on {resumeOn} {resumed[i]:R}, uninterrupted {uninterrupted[i]:R}");
    }

    [Fact]
    public void A_lora_module_trained_on_libtorch_exports_to_peft_and_imports_on_the_cpu_engine_with_equal_outputs()
    {
        using var directory = new TempDirectory();
        var trained = TrainingEquivalenceTests.Build("lora").To(BothDevices.Torch);
        new Trainer(trained, new AdamW(lr: 5e-2f), options: new TrainerOptions { MaxSteps = 5, Epochs = 5 }).Fit(TrainingEquivalenceTests.Data());
        trained.ExportPeft("m", directory.Path);

        var imported = TrainingEquivalenceTests.Build("lora").Remove("m");
        imported.ImportPeft(directory.Path, "m");
        imported.Active = "m";
        var batch = TrainingEquivalenceTests.Data(shuffle: false).Epoch(0).First();
        using var scope = TensorScope.Begin();
        using var noGrad = Tensors.Autograd.GradMode.NoGrad();
        // the head trained too, and the PEFT adapter carries only the LoRA factors: the head's state copies across devices
        imported.Base.Get("head").LoadState(trained.Base.Get("head").State());
        var onTorch = trained.Forward(batch.Ids, batch.PaddingMask, batch.Metadata).ToArray();
        var onCpu = imported.Forward(batch.Ids, batch.PaddingMask, batch.Metadata).ToArray();
        BothDevices.AssertClose(onCpu, onTorch, "logits through the imported adapter");
    }
}
