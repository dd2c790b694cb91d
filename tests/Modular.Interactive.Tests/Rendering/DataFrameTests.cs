using Microsoft.Data.Analysis;
using Modular.CaseStudies;
using Modular.NN;
using Modular.Reports;
using Modular.Tensors;

namespace Modular.Interactive.Tests.Rendering;

public class DataFrameTests
{
    [Fact]
    public void A_parameter_efficiency_table_keeps_its_counts_as_integers_and_its_metric_as_mean_sd_and_delta()
    {
        var frame = DemoReports.Comparison().ToDataFrame();

        Assert.Equal(["method", "module type", "trainable parameters", "total parameters", "base parameters", "% of base", "size on disk (bytes)", "accuracy", "accuracy sd", "Δ vs Full fine-tuning"],
            frame.Columns.Select(c => c.Name));
        Assert.Equal(5, frame.Rows.Count);
        Assert.IsType<Int64DataFrameColumn>(frame["trainable parameters"]);
        Assert.Equal("LoRA (r = 8)", frame["method"][2]);
        Assert.Equal(33_282L, frame["trainable parameters"][2]);
        Assert.Equal(33_282L * 4 + 512, frame["size on disk (bytes)"][2]);
        Assert.Equal(100.0 * 33_282 / 3_464_706, (double)frame["% of base"][2]!, precision: 12);
        Assert.Equal(0.905, (double)frame["accuracy"][2]!, precision: 12);
        Assert.Equal(0.003, (double)frame["accuracy sd"][2]!, precision: 12);
        Assert.Equal(0.905 - 0.912, (double)frame["Δ vs Full fine-tuning"][2]!, precision: 12);
        // users sort and filter: the two methods with fewest trainable parameters
        var fewest = frame.OrderBy("trainable parameters").Head(2);
        Assert.Equal(["Prompt tuning (10)", "BitFit"], fewest["method"].Cast<string>());
    }

    [Fact]
    public void A_results_table_types_each_column_and_splits_measurements_into_mean_and_sd()
    {
        var table = new ResultsTable("model", "parameters", "accuracy", "seconds", "note")
            .Add("dense", 1_000, new Measurement(0.5, 0.02), 1.5, null)
            .Add("top-1", 4_000L, new Measurement(0.75, 0.01), 2.0, "best")
            .Add("top-2", null, 0.7, null, "no sd");
        var frame = table.ToDataFrame();

        Assert.Equal(["model", "parameters", "accuracy", "accuracy sd", "seconds", "note"], frame.Columns.Select(c => c.Name));
        Assert.IsType<Int64DataFrameColumn>(frame["parameters"]);
        Assert.Equal([1_000L, 4_000L, null], frame["parameters"].Cast<long?>());
        Assert.Equal([0.5, 0.75, 0.7], frame["accuracy"].Cast<double?>());
        Assert.Equal([0.02, 0.01, null], frame["accuracy sd"].Cast<double?>());
        Assert.Equal([1.5, 2.0, null], frame["seconds"].Cast<double?>());
        Assert.Equal([null, "best", "no sd"], frame["note"].Cast<string?>());
    }

    [Fact]
    public void A_training_history_has_one_row_per_run_and_step_with_a_column_per_series()
    {
        var history = DemoReports.Curves();
        var frame = history.ToDataFrame();

        Assert.Equal(["run", "step", "loss", "dev accuracy"], frame.Columns.Select(c => c.Name));
        Assert.Equal(120, frame.Rows.Count);
        var first = history.Runs[0].Records;
        Assert.Equal("LoRA r=8", frame["run"][10]);
        Assert.Equal(10L, frame["step"][10]);
        Assert.Equal(first[10].Loss, (double?)frame["loss"][10]);
        Assert.Equal(first[10]["dev accuracy"], (double?)frame["dev accuracy"][10]);
        Assert.Null(frame["dev accuracy"][11]);
        Assert.Equal(6, frame.Filter(frame["dev accuracy"].ElementwiseIsNotNull()).Rows.Count / 2);
    }

    [Fact]
    public void A_routing_trace_is_one_row_per_site_module_and_label_whose_shares_sum_to_one_per_label()
    {
        var moe = MoeTransformer.Create(vocab: 16, dModel: 16, layers: 1, heads: 2, ff: 32, classes: 2, experts: 4, topK: 1, capacityFactor: 4f,
            routeLabelKey: "script", routeLabelNames: ["Latin", "Cyrillic"]);
        var ids = IntTensor.FromArray([1, 2, 3, 4, 5, 6, 7, 8], 2, 4);
        using (ForwardContext.Begin(metadata: new Dictionary<string, int[]> { ["script"] = [0, 1] }))
        {
            moe.Forward(ids);
        }
        var frame = moe.Trace!.ToDataFrame();

        Assert.Equal(["site", "module", "script", "routed", "share of label"], frame.Columns.Select(c => c.Name));
        var site = moe.Trace!.Sites.Single();
        Assert.Equal(site.Modules.Count * 2, frame.Rows.Count);
        Assert.Equal(site.Site, frame["site"][0]);
        // top-1 of 4 tokens per example: each script routed 4 tokens, shared out over the experts
        foreach (string script in new[] { "Latin", "Cyrillic" })
        {
            var rows = frame.Filter(frame["script"].ElementwiseEquals(script));
            Assert.Equal(4.0, rows["routed"].Cast<double?>().Sum()!.Value, precision: 9);
            Assert.Equal(1.0, rows["share of label"].Cast<double?>().Sum()!.Value, precision: 9);
        }
    }
}
