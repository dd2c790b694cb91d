using Modular.Reports;
using Modular.Tensors;

namespace Modular.Interactive.Tests;

/// <summary>Small, realistic report data the tests render: routing, a PEFT comparison, curves, expert load, a LoRA model tree.</summary>
internal static class DemoReports
{
    /// <summary>Labels a user could type that would break naive HTML: a script tag, quotes, an ampersand.</summary>
    public const string Malicious = "<script>alert('x')</script> \"q\" & co";

    /// <summary>A rows × columns routing heatmap with smoothly varying, deterministic values in [0, 1].</summary>
    public static Heatmap Routing(int rows, int columns, string? title = null)
    {
        var values = new double[rows, columns];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                values[r, c] = 0.5 + 0.5 * Math.Sin(0.7 * r + 0.23 * c) * Math.Cos(0.11 * c - 0.4 * r);
            }
        }
        return new Heatmap(values, [.. Enumerable.Range(0, rows).Select(r => $"expert {r}")], [.. Enumerable.Range(0, columns).Select(c => $"token {c}")])
        {
            Title = title ?? $"Router probabilities, {rows} experts × {columns} tokens",
            Caption = "Mean router probability per expert and token position on the validation batch.",
            RowAxisName = "expert",
            ColumnAxisName = "token",
            ValueFormat = "0.00",
        };
    }

    /// <summary>Polytropon-style task × skill allocation, with one missing value.</summary>
    public static Heatmap Allocation()
    {
        string[] tasks = ["en: sentiment", "de: sentiment", "fr: NLI", "sw: NLI", "yo: NER", "hi: NER"];
        string[] skills = [.. Enumerable.Range(0, 8).Select(s => $"skill {s}")];
        var values = new double[tasks.Length, skills.Length];
        for (int t = 0; t < tasks.Length; t++)
        {
            for (int s = 0; s < skills.Length; s++) values[t, s] = (t / 2 == s / 3) ? 0.7 + 0.05 * ((t + s) % 5) : 0.04 * ((t * 3 + s) % 4);
        }
        values[3, 7] = double.NaN;
        return new Heatmap(values, tasks, skills)
        {
            Title = "Polytropon allocation: tasks × skills",
            Caption = "σ(Z) after training; related tasks share skills. One cell was not recorded (NaN).",
            RowAxisName = "task",
            ColumnAxisName = "skill",
            ValueFormat = "0.00",
        };
    }

    /// <summary>The method comparison of the survey's trade-off table on a 3.46M-parameter encoder.</summary>
    public static ParameterEfficiencyTable Comparison()
    {
        const long Base = 3_464_706;
        ParameterEfficiencyRow Row(string method, string module, long trainable, long added, double accuracy, double sd, long? perUnit = null, string unit = "task") =>
            new(method, module, trainable, Base + added, Base)
            {
                SizeOnDiskBytes = trainable * 4 + 512,
                Metric = new Measurement(accuracy, sd, runs: 3),
                PerUnit = perUnit is { } p ? new PerUnitParameters(p, unit) : null,
            };
        return new ParameterEfficiencyTable(
            [
                Row("Full fine-tuning", "all weights", Base, 0, 0.912, 0.004),
                Row("BitFit", "bias terms", 10_498, 0, 0.874, 0.006),
                Row("LoRA (r = 8)", "LoRA", 33_282, 33_282, 0.905, 0.003, perUnit: 33_282),
                Row("Pfeiffer adapter", "bottleneck adapter", 66_840, 66_840, 0.908, 0.005, perUnit: 66_840),
                Row("Prompt tuning (10)", "soft prompt", 2_560, 2_560, 0.861, 0.011, perUnit: 2_560),
            ],
            metricName: "accuracy")
        {
            Title = "Parameter efficiency (made-up numbers for the renderer tests)",
            Caption = "Mean ± sd over 3 seeds. Δ is the accuracy difference to full fine-tuning.",
        };
    }

    /// <summary>Two runs with loss every step and dev accuracy every 10 steps.</summary>
    public static TrainingHistory Curves()
    {
        TrainingRun Run(string name, double rate, double ceiling) => new(name,
            Enumerable.Range(0, 60).Select(step => new TrainingRecord(step, 0.3 + 0.4 * Math.Exp(-rate * step) + 0.02 * Math.Sin(step),
                step % 10 == 0 ? new Dictionary<string, double> { ["dev accuracy"] = ceiling - 0.3 * Math.Exp(-rate * step) } : null)));
        return new TrainingHistory(Run("LoRA r=8", 0.08, 0.9), Run("Full fine-tuning", 0.12, 0.92))
        {
            Title = "Training curves",
            Caption = "Training loss per step and dev accuracy every 10 steps.",
        };
    }

    /// <summary>Eight experts with capacity 160 of 1,024 tokens; two are over capacity.</summary>
    public static ExpertLoad Load() => new([210, 96, 131, 172, 88, 120, 115, 92], capacity: 160)
    {
        Title = "Layer 3 expert load",
        Caption = "Top-1 routing, capacity factor 1.25; dropped tokens pass through the residual.",
    };

    /// <summary>A two-layer frozen encoder with a LoRA named "sentiment" on each query projection.</summary>
    public static ModelSummary LoraModel()
    {
        static ModelSummaryNode Linear(string path, int input, int output, bool trainable = false) =>
            new(path, "Linear", [new ParameterInfo("weight", TensorShape.Of(output, input), trainable), new ParameterInfo("bias", TensorShape.Of(output), trainable)])
            {
                OutputShape = TensorShape.Of(8, 32, output),
            };
        static ModelSummaryNode Layer(int i)
        {
            string p = $"layers.{i}";
            var lora = new ModelSummaryNode($"{p}.attention.query.lora", "LoRA",
                [new ParameterInfo("lora_A", TensorShape.Of(8, 64), true), new ParameterInfo("lora_B", TensorShape.Of(64, 8), true)])
            { AttachedModuleName = "sentiment" };
            var query = new ModelSummaryNode($"{p}.attention.query", "Linear",
                [new ParameterInfo("weight", TensorShape.Of(64, 64), false), new ParameterInfo("bias", TensorShape.Of(64), false)], [lora]);
            var attention = new ModelSummaryNode($"{p}.attention", "MultiHeadAttention", null,
                [query, Linear($"{p}.attention.key", 64, 64), Linear($"{p}.attention.value", 64, 64)]);
            return new ModelSummaryNode(p, "TransformerBlock", null, [attention, Linear($"{p}.ff", 64, 256)]);
        }
        var root = new ModelSummaryNode("", "TransformerClassifier", null,
            [new ModelSummaryNode("embedding", "Embedding", [new ParameterInfo("weight", TensorShape.Of(1000, 64), false)]),
             new ModelSummaryNode("layers", "ModuleList", null, [Layer(0), Layer(1)]),
             Linear("head", 64, 2, trainable: true)]);
        return new ModelSummary(root) { Title = "model" };
    }
}
