using System.Diagnostics;
using System.Globalization;
using Modular.NN;
using Modular.Optim;
using Modular.Reports;
using Modular.Routing;
using Modular.Tensors;

namespace Modular.Training;

/// <summary>
/// One training loop for every training setting — joint multi-task, continual, post-hoc — since the setting is
/// decided by what is trainable and how batches are routed, not by the loop. It runs epochs or a number of steps,
/// adds routers' auxiliary losses, evaluates (overall and per group), stops early, checkpoints the trainable
/// parameters, buffers and the optimiser atomically, resumes exactly, and reports progress events. It prints nothing.
/// </summary>
public sealed partial class Trainer
{
    private readonly Module root;
    private readonly Func<Batch, Tensor> forward;

    /// <summary>Trains a modular model whose base reads token ids; the objective defaults from the base (classifier or masked LM).</summary>
    public Trainer(ModularModel model, Optimizer optimizer, ITrainingObjective? objective = null, TrainerOptions? options = null)
        : this((model ?? throw new ArgumentNullException(nameof(model))).Base, b => model.Forward(b.Ids, b.PaddingMask, b.Metadata), optimizer,
               objective ?? DefaultObjective(model.Base), options) { }

    /// <summary>Trains any model given how to run it on a batch.</summary>
    public Trainer(Module model, Func<Batch, Tensor> forward, Optimizer optimizer, ITrainingObjective objective, TrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(objective);
        root = model;
        this.forward = forward;
        Optimizer = optimizer;
        Objective = objective;
        Options = options ?? new TrainerOptions();
        Options.Validate();
        if (optimizer.Groups.Count == 0)
        {
            var trainable = model.TrainableParameters().ToList();
            if (trainable.Count == 0) throw new ConfigurationException("Trainer: nothing is trainable; unfreeze parameters or call TrainOnly(...) on the modular model.");
            optimizer.Add(trainable);
        }
    }

    /// <summary>The optimiser.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The loss and metrics.</summary>
    public ITrainingObjective Objective { get; }

    /// <summary>The loop's settings.</summary>
    public TrainerOptions Options { get; }

    /// <summary>Where progress events go; null = <see cref="AmbientProgress"/> (a notebook display or console line, if the host set one).</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    private static ITrainingObjective DefaultObjective(Module model) => model switch
    {
        MaskedLanguageModel => new MaskedLanguageModelingObjective(),
        _ => new Classification(),
    };

    /// <summary>Runs <see cref="Fit"/> on a worker thread, so a notebook cell can await it while progress displays.</summary>
    public Task<TrainingResult> FitAsync(IBatchSource train, IBatchSource? evaluation = null, CancellationToken cancellation = default) =>
        Task.Run(() => Fit(train, evaluation, cancellation), cancellation);

    /// <summary>Trains on <paramref name="train"/>, evaluating on <paramref name="evaluation"/> if given.</summary>
    public TrainingResult Fit(IBatchSource train, IBatchSource? evaluation = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.BatchesPerEpoch < 1)
            throw new ConfigurationException($"Trainer.Fit: the training source ({train.GetType().Name}) yields {train.BatchesPerEpoch} batches per epoch, so nothing would train. Give it at least one example (and a batch size ≥ 1).");
        var progress = Progress ?? AmbientProgress.Create();
        var state = Options.Resume && Options.CheckpointPath is { } path && File.Exists(path) ? LoadCheckpoint(path) : new LoopState();
        var history = new TrainingRun(Options.RunName);
        long totalSteps = Math.Min((long)Options.Epochs * train.BatchesPerEpoch, Options.MaxSteps ?? long.MaxValue);
        var clock = Stopwatch.StartNew();
        EvaluationResult? last = null;
        bool stop = false;
        var stepAware = root.NamedModules().Select(m => m.Module).OfType<ITrainingStepAware>().ToList();
        var paths = ParameterPaths();
        var divergence = new DivergenceWatch(this, history);

        for (int epoch = state.Epoch; epoch < Options.Epochs && !stop; epoch++)
        {
            int index = 0;
            foreach (var batch in train.Epoch(epoch))
            {
                if (epoch == state.Epoch && index < state.BatchInEpoch) { index++; continue; } // resumed mid-epoch
                if (state.Step >= totalSteps) { stop = true; break; }
                cancellation.ThrowIfCancellationRequested();
                foreach (var s in stepAware) s.OnTrainingStep((int)state.Step);
                double loss = Step(batch, state.Step, paths, divergence);
                state.Step++;
                index++;
                state.Epoch = epoch;
                state.BatchInEpoch = index;
                var stepMetrics = new Dictionary<string, double> { ["learning rate"] = Optimizer.CurrentLearningRate(Optimizer.Groups[0]) };
                history.Add(new TrainingRecord(state.Step, loss, stepMetrics));
                if (evaluation is not null && Options.EvaluateEvery is { } every && state.Step % every == 0)
                    (last, stop) = EvaluateAndDecide(evaluation, state, history, divergence);
                // the latest evaluation rides along until the next one, so a display can show it beside the loss
                var shown = last is null ? stepMetrics : stepMetrics.Concat(EvaluationMetrics(last)).ToDictionary();
                progress?.Report(new TrainingProgress(state.Step, totalSteps, loss, clock.Elapsed) { Epoch = epoch + 1, TotalEpochs = Options.Epochs, RunName = Options.RunName, Metrics = shown });
                if (stop) break;
            }
            if (stop) break;
            if (index == 0 && !(epoch == state.Epoch && state.BatchInEpoch > 0))
                throw new ConfigurationException($"Trainer.Fit: epoch {epoch + 1} of the training source ({train.GetType().Name}) yielded no batches although it reports {train.BatchesPerEpoch} per epoch; nothing would train.");
            state.Epoch = epoch + 1;
            state.BatchInEpoch = 0;
            if (evaluation is not null && Options.EvaluateEvery is null) (last, stop) = EvaluateAndDecide(evaluation, state, history, divergence);
            else SaveCheckpoint(state);
        }
        SaveCheckpoint(state);
        return new TrainingResult(history, last, state.Step, stop && state.Step < totalSteps) { BestMetric = state.Best };
    }

    /// <summary>
    /// One optimisation step: forward, task loss plus auxiliary losses, backward, clip, update. Returns the task loss.
    /// A diverged loss, or a NaN or infinite gradient, ends the run here, before the update spreads it into the weights.
    /// </summary>
    private double Step(Batch batch, long step, IReadOnlyList<(string Path, Parameter Parameter)> paths, DivergenceWatch divergence)
    {
        root.Train();
        using var scope = TensorScope.Begin();
        var random = new Rng(((ulong)(uint)Options.Seed << 32) ^ (ulong)step ^ 0x57E9UL);
        using var context = ForwardContext.BeginOn(root.Device, batch.PaddingMask, batch.Metadata, random); // batches arrive in host memory
        var output = forward(batch);
        var loss = Objective.Loss(output, batch);
        var total = loss;
        // what the routers' decisions of this pass add: load balancing, z-loss, policy gradients
        foreach (var extra in context.TakeLossTerms(loss)) total = total.Add(extra);
        total.BackwardUnchecked();
        // The step's one read of values into host memory: the task loss (for the history and the divergence rule) and
        // the gradient norm (a non-finite auxiliary loss shows up there too), together. Nothing is updated before both
        // are checked, so a diverged step leaves the weights as they were.
        var (value, norm) = ReadTogether(loss, GradientClipping.GlobalNormTensor(paths, loss.Device));
        try
        {
            divergence.CheckTrainingLoss(step + 1, value);
        }
        catch
        {
            Optimizer.ZeroGrad();
            throw;
        }
        if (!float.IsFinite(norm))
        {
            var error = divergence.Diverged(step + 1, value, "gradient norm", norm, GradientClipping.NonFiniteCulprit(paths));
            Optimizer.ZeroGrad();
            throw error;
        }
        if (Options.ClipGradientNorm is { } maxNorm) GradientClipping.ScaleToNorm(paths, norm, maxNorm);
        Optimizer.Step();
        Optimizer.ZeroGrad();
        return value;
    }

    /// <summary>Two scalars of one device copied to the host in one read.</summary>
    private static (double First, float Second) ReadTogether(Tensor first, Tensor second)
    {
        using var both = Tensor.Cat([first.Detach().Reshape(1), second.Reshape(1)], 0);
        var values = both.ToArray();
        return (values[0], values[1]);
    }

    /// <summary>The optimiser's parameters with their paths in the model (a parameter outside it keeps its own name), for error messages.</summary>
    private List<(string Path, Parameter Parameter)> ParameterPaths()
    {
        var byParameter = new Dictionary<Parameter, string>(ReferenceEqualityComparer.Instance);
        foreach (var (path, p) in root.NamedParameters()) byParameter.TryAdd(p, path);
        return [.. Optimizer.Parameters.Select(p => (byParameter.GetValueOrDefault(p) ?? p.Name ?? $"(unnamed parameter {p.Shape})", p))];
    }

    private (EvaluationResult Result, bool Stop) EvaluateAndDecide(IBatchSource evaluation, LoopState state, TrainingRun history, DivergenceWatch divergence)
    {
        var result = Measure(evaluation);
        history.Add(new TrainingRecord(state.Step, null, EvaluationMetrics(result)));
        divergence.CheckEvaluation(state.Step, result);
        double score = result.Metrics.TryGetValue(Objective.PrimaryMetric, out var m) ? m : -result.Loss;
        if (state.Best is null || score > state.Best) { state.Best = score; state.BadEvaluations = 0; }
        else state.BadEvaluations++;
        SaveCheckpoint(state);
        return (result, Options.EarlyStoppingPatience is { } patience && state.BadEvaluations >= patience);
    }

    /// <summary>An evaluation as history and progress metrics: "eval loss", "eval accuracy", "eval accuracy/de", ….</summary>
    private static Dictionary<string, double> EvaluationMetrics(EvaluationResult result)
    {
        var metrics = result.Metrics.ToDictionary(m => $"eval {m.Key}", m => m.Value);
        metrics["eval loss"] = result.Loss;
        return metrics;
    }

    /// <summary>
    /// Loss and metrics on <paramref name="data"/> in evaluation mode, overall and per group if
    /// <see cref="TrainerOptions.GroupMetricsBy"/> is set. A NaN or infinite loss or metric is not a result: it is a
    /// <see cref="TrainingDivergedException"/> naming the metric.
    /// </summary>
    public EvaluationResult Evaluate(IBatchSource data)
    {
        var result = Measure(data);
        foreach (var (metric, value) in EvaluationMetrics(result))
            if (!double.IsFinite(value))
                throw new TrainingDivergedException(
                    $"Evaluate: the {metric} on the evaluation data is {value}, not a result. The model's weights hold NaN or infinity somewhere the evaluation data reaches (e.g. the embedding of a token seen only there), from a diverged run or loaded weights; check them with model.Parameters() and retrain with a lower learning rate, or load weights from before the divergence.",
                    step: null, metric, value, history: null);
        return result;
    }

    /// <summary>Loss and metrics as computed, finite or not (the loop checks them against its divergence rule with the history in hand).</summary>
    private EvaluationResult Measure(IBatchSource data)
    {
        ArgumentNullException.ThrowIfNull(data);
        root.Eval();
        double lossSum = 0;
        long examples = 0, correct = 0, counted = 0;
        var groups = new SortedDictionary<int, (long Correct, long Counted)>();
        try
        {
            using var noGrad = Tensors.Autograd.GradMode.NoGrad();
            foreach (var batch in data.Epoch(0))
            {
                using var scope = TensorScope.Begin();
                using var context = ForwardContext.BeginOn(root.Device, batch.PaddingMask, batch.Metadata);
                var output = forward(batch);
                lossSum += Objective.Loss(output, batch).Item() * batch.Size;
                examples += batch.Size;
                var scores = Objective.Score(output, batch);
                int[]? groupIds = Options.GroupMetricsBy is { } key && batch.Metadata.TryGetValue(key, out var ids) ? ids : null;
                for (int i = 0; i < scores.Length; i++)
                {
                    correct += scores[i].Correct;
                    counted += scores[i].Counted;
                    if (groupIds is null) continue;
                    var g = groups.GetValueOrDefault(groupIds[i]);
                    groups[groupIds[i]] = (g.Correct + scores[i].Correct, g.Counted + scores[i].Counted);
                }
            }
        }
        finally
        {
            root.Train();
        }
        if (examples == 0)
            throw new ConfigurationException($"Trainer: the evaluation source ({data.GetType().Name}) yielded no batches, so there is nothing to evaluate. Give it at least one example, or pass no evaluation source.");
        if (counted == 0)
            throw new ConfigurationException($"Trainer: the evaluation data ({data.GetType().Name}, {examples} examples) has nothing the objective scores for '{Objective.PrimaryMetric}' (e.g. no masked token); give it examples with targets.");
        var metrics = new Dictionary<string, double> { [Objective.PrimaryMetric] = (double)correct / counted };
        foreach (var (id, (c, n)) in groups)
            metrics[$"{Objective.PrimaryMetric}/{GroupName(id)}"] = n == 0 ? double.NaN : (double)c / n;
        return new EvaluationResult(lossSum / examples, metrics);
    }

    private string GroupName(int id) => Options.GroupNames is { } names && id >= 0 && id < names.Count ? names[id] : id.ToString(CultureInfo.InvariantCulture);
}
