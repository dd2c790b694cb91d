using System.Globalization;
using Modular.Checkpoints;
using Modular.Tensors;

namespace Modular.Training;

// The loop's checkpoints: trainable parameters, buffers, optimiser state and the loop's position in one safetensors
// file, written atomically (SafeTensorsFile writes a temporary file, then renames), read back all-or-nothing.
public sealed partial class Trainer
{
    private sealed class LoopState
    {
        public long Step;
        public int Epoch;
        public int BatchInEpoch;
        public double? Best;
        public int BadEvaluations;
    }

    private void SaveCheckpoint(LoopState state)
    {
        if (Options.CheckpointPath is not { } path) return;
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (name, p) in root.NamedParameters()) if (p.Trainable) tensors.Add(new($"parameters.{name}", p));
        // buffers hold state that training changes besides the parameters (e.g. a REINFORCE router's reward baseline)
        foreach (var (name, b) in root.NamedBuffers()) tensors.Add(new($"buffers.{name}", b));
        foreach (var (name, t) in Optimizer.State()) tensors.Add(new($"optimizer.{name}", t));
        var metadata = new Dictionary<string, string>
        {
            ["step"] = state.Step.ToString(CultureInfo.InvariantCulture),
            ["epoch"] = state.Epoch.ToString(CultureInfo.InvariantCulture),
            ["batch_in_epoch"] = state.BatchInEpoch.ToString(CultureInfo.InvariantCulture),
            ["optimizer_steps"] = Optimizer.StepCount.ToString(CultureInfo.InvariantCulture),
            ["bad_evaluations"] = state.BadEvaluations.ToString(CultureInfo.InvariantCulture),
            ["run"] = Options.RunName,
        };
        if (state.Best is { } best) metadata["best"] = best.ToString("R", CultureInfo.InvariantCulture);
        SafeTensorsFile.Write(path, tensors, metadata);
    }

    private LoopState LoadCheckpoint(string path)
    {
        var file = SafeTensorsFile.Read(path);
        using var scope = TensorScope.Begin();
        var restores = new List<(Tensor Target, Tensor Saved)>();
        var parameters = root.NamedParameters().ToDictionary(e => e.Path, e => (Tensor)e.Parameter, StringComparer.Ordinal);
        var buffers = root.NamedBuffers().ToDictionary(e => e.Path, e => e.Buffer, StringComparer.Ordinal);
        var optimizerState = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var name in file.Names)
        {
            if (name.StartsWith("parameters.", StringComparison.Ordinal)) Restore(parameters, name, "parameters.");
            else if (name.StartsWith("buffers.", StringComparison.Ordinal)) Restore(buffers, name, "buffers.");
            else if (name.StartsWith("optimizer.", StringComparison.Ordinal)) optimizerState[name["optimizer.".Length..]] = file.Get(name, Options.AllowNonFiniteCheckpoint);
        }
        // Everything is decoded and checked before anything is copied, so a refused checkpoint leaves the model as it was.
        var loopState = new LoopState
        {
            Step = Read("step"),
            Epoch = Read("epoch"),
            BatchInEpoch = Read("batch_in_epoch"),
            BadEvaluations = Read("bad_evaluations"),
            Best = !file.Metadata.TryGetValue("best", out var b) ? null
                : double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var best) ? best
                : throw new CheckpointFormatException($"Checkpoint '{path}' has a 'best' entry '{b}' that is not a number; it was edited or damaged."),
        };
        Optimizer.LoadState(optimizerState, Read("optimizer_steps"));
        foreach (var (target, saved) in restores) target.CopyFrom(saved);
        return loopState;

        void Restore(Dictionary<string, Tensor> into, string name, string prefix)
        {
            if (!into.TryGetValue(name[prefix.Length..], out var target))
                throw new CheckpointFormatException($"Checkpoint '{path}' holds '{name}', which this model does not have; it was written for a different model or module set.");
            var saved = file.Get(name, Options.AllowNonFiniteCheckpoint);
            if (!saved.Shape.Equals(target.Shape))
                throw new CheckpointFormatException($"Checkpoint '{path}' holds '{name}' of shape {saved.Shape}, but this model's has shape {target.Shape}; it was written for a differently sized model.");
            restores.Add((target, saved));
        }

        int Read(string key) => file.Metadata.TryGetValue(key, out var v) && int.TryParse(v, CultureInfo.InvariantCulture, out var n) ? n
            : throw new CheckpointFormatException($"Checkpoint '{path}' lacks the trainer's '{key}' entry; it was not written by Trainer.");
    }
}
