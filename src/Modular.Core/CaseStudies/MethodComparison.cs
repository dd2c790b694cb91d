using System.Diagnostics;
using Modular.Computation;
using Modular.NN;
using Modular.Optim;
using Modular.Reports;
using Modular.Training;

namespace Modular.CaseStudies;

/// <summary>
/// The survey's trade-off table, measured: each computation function is attached to a fresh copy of the same
/// base, trained on one task (with the classifier head) for several seeds, and evaluated; the rows give trainable
/// parameters, % of the base, size on disk, the metric as mean ± standard deviation and the difference to full
/// fine-tuning.
/// </summary>
public static class MethodComparison
{
    /// <summary>One method's outcome for one seed.</summary>
    public sealed record Outcome(string Method, int Seed, double Metric, long Trainable, TimeSpan Time, TrainingRun History);

    /// <summary>
    /// Trains every method of <paramref name="methods"/> on <paramref name="train"/> for each seed (evaluating on
    /// <paramref name="dev"/> as it goes) and measures the metric on <paramref name="test"/>. <paramref name="baseModel"/> must return a fresh copy of the base (e.g. built and loaded
    /// from a checkpoint) for the given seed; <paramref name="learningRate"/> gives each method its rate (full
    /// fine-tuning usually needs a smaller one). <paramref name="onOutcome"/> hears about each finished run.
    /// </summary>
    public static ParameterEfficiencyTable Run(Func<int, Module> baseModel, IReadOnlyList<IModuleSpec> methods, IBatchSource train, IBatchSource dev, IBatchSource test,
        IReadOnlyList<int> seeds, TrainerOptions options, Func<IModuleSpec, float> learningRate, string headPattern = "head", Action<Outcome>? onOutcome = null)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        ArgumentNullException.ThrowIfNull(methods);
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(learningRate);
        if (methods.Count == 0 || seeds.Count == 0) throw new ConfigurationException("MethodComparison needs at least one method and one seed.");
        var rows = new List<ParameterEfficiencyRow>();
        foreach (var spec in methods)
        {
            var outcomes = new List<Outcome>();
            ParameterEfficiencyRow? described = null;
            foreach (var seed in seeds)
            {
                var clock = Stopwatch.StartNew();
                var model = baseModel(seed).WithModules(seed);
                model.Attach(spec, "method");
                if (spec is FullFineTuning) model.TrainOnly("method");
                else model.TrainOnly("method", headPattern);
                described ??= model.DescribeParameterEfficiency();
                var trainer = new Trainer(model, new AdamW(learningRate(spec)), options: options with { Seed = seed, RunName = $"{spec.Method}, seed {seed}" });
                var result = trainer.Fit(train, dev);
                double metric = trainer.Evaluate(test)[trainer.Objective.PrimaryMetric];
                var outcome = new Outcome(spec.Method, seed, metric, model.TrainableParameterCount, clock.Elapsed, result.History);
                outcomes.Add(outcome);
                onOutcome?.Invoke(outcome);
            }
            rows.Add(new ParameterEfficiencyRow(spec.Method, described!.ModuleType, described.TrainableParameters, described.TotalParameters, described.BaseParameters)
            {
                SizeOnDiskBytes = described.SizeOnDiskBytes,
                Metric = Measurement.Of(outcomes.Select(o => o.Metric)),
            });
        }
        return new ParameterEfficiencyTable(rows, "accuracy") { Title = "Computation functions compared on one task", Caption = $"mean ± standard deviation over {seeds.Count} seed{(seeds.Count == 1 ? "" : "s")}; trainable parameters include the classifier head" };
    }
}
