#:project ../src/Modular.Interactive/Modular.Interactive.csproj
#:property PublishAot=false

// Renders demo report data into one self-contained HTML file, the way a script shows what a notebook would:
//   dotnet run examples/report-demo.cs [output.html]
// Show(x) goes to the open report here; in a notebook the same call displays x in the cell's output.

using System.Diagnostics;
using Modular.Interactive;
using Modular.Interactive.Progress;
using Modular.Reports;
using Modular.Tensors;
using static Modular.Interactive.Output;

string path = args.Length > 0 ? args[0] : "report-demo.html";
using (var report = new HtmlReport(path, "Modular report demo"))
{
    report.AddHeading("Training");
    Show(Train("LoRA r=8", rate: 0.02));

    report.AddHeading("Routing");
    Show(SkillAllocation());
    Show(new ExpertLoad([210, 96, 131, 172, 88, 120, 115, 92], capacity: 160) { Title = "Layer 3 expert load" });

    report.AddHeading("Parameter efficiency");
    Show(Comparison());

    report.AddHeading("Model");
    Show(LoraModel());
}
Console.WriteLine($"Wrote {Path.GetFullPath(path)}");

// A stand-in training loop: reports progress to the console line and records the curve.
static TrainingHistory Train(string name, double rate)
{
    const int Steps = 300;
    var run = new TrainingRun(name);
    var progress = new ConsoleProgress();
    var clock = Stopwatch.StartNew();
    for (int step = 1; step <= Steps; step++)
    {
        double loss = 0.3 + 0.5 * Math.Exp(-rate * step) + 0.01 * Math.Sin(step);
        var accuracy = step % 30 == 0 ? new Dictionary<string, double> { ["dev accuracy"] = 0.9 - 0.4 * Math.Exp(-rate * step) } : null;
        run.Add(new TrainingRecord(step, loss, accuracy));
        progress.Report(new TrainingProgress(step, Steps, loss, clock.Elapsed) { RunName = name });
    }
    return new TrainingHistory(run) { Title = "Training curves" };
}

static Heatmap SkillAllocation()
{
    string[] tasks = ["en: sentiment", "de: sentiment", "fr: NLI", "sw: NLI", "yo: NER", "hi: NER"];
    var values = new double[tasks.Length, 8];
    for (int t = 0; t < tasks.Length; t++)
    {
        for (int s = 0; s < 8; s++) values[t, s] = t / 2 == s / 3 ? 0.7 + 0.05 * ((t + s) % 5) : 0.04 * ((t * 3 + s) % 4);
    }
    return new Heatmap(values, tasks, [.. Enumerable.Range(0, 8).Select(s => $"skill {s}")])
    {
        Title = "Polytropon allocation: tasks × skills",
        Caption = "σ(Z) after training: related tasks share skills.",
        RowAxisName = "task",
        ColumnAxisName = "skill",
        ValueFormat = "0.00",
    };
}

static ParameterEfficiencyTable Comparison()
{
    const long Base = 3_464_706;
    ParameterEfficiencyRow Row(string method, string module, long trainable, long added, double accuracy) =>
        new(method, module, trainable, Base + added, Base) { SizeOnDiskBytes = trainable * 4, Metric = new Measurement(accuracy, 0.004, runs: 3) };
    return new ParameterEfficiencyTable(
        [
            Row("Full fine-tuning", "all weights", Base, 0, 0.912),
            Row("BitFit", "bias terms", 10_498, 0, 0.874),
            Row("LoRA (r = 8)", "LoRA", 33_282, 33_282, 0.905),
            Row("Pfeiffer adapter", "bottleneck adapter", 66_840, 66_840, 0.908),
        ],
        metricName: "accuracy")
    { Title = "Parameter efficiency (demo figures)" };
}

static ModelSummary LoraModel()
{
    static ModelSummaryNode Linear(string path, int input, int output) =>
        new(path, "Linear", [new ParameterInfo("weight", TensorShape.Of(output, input), false), new ParameterInfo("bias", TensorShape.Of(output), false)]);
    var lora = new ModelSummaryNode("encoder.query.lora", "LoRA",
        [new ParameterInfo("lora_A", TensorShape.Of(8, 64), true), new ParameterInfo("lora_B", TensorShape.Of(64, 8), true)])
    { AttachedModuleName = "sentiment" };
    var query = new ModelSummaryNode("encoder.query", "Linear",
        [new ParameterInfo("weight", TensorShape.Of(64, 64), false), new ParameterInfo("bias", TensorShape.Of(64), false)], [lora]);
    var encoder = new ModelSummaryNode("encoder", "AttentionBlock", null, [query, Linear("encoder.value", 64, 64)]);
    return new ModelSummary(new ModelSummaryNode("", "Classifier", null, [encoder, Linear("head", 64, 2)])) { Title = "model" };
}
