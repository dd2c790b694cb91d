using Modular.Reports;
using Modular.Tensors;

namespace Modular.Tests.Reports;

public class ReportDataTests
{
    [Fact]
    public void Heatmap_labels_must_match_the_matrix()
    {
        var error = Assert.Throws<ShapeMismatchException>(() => new Heatmap(new double[2, 3], ["a", "b"], ["x", "y"]));

        Assert.Equal("Heatmap values are 2 × 3 (rows × columns) but 2 row labels and 2 column labels were given; pass one label per row and per column.", error.Message);
    }

    [Fact]
    public void Heatmap_allows_NaN_but_not_infinity_or_bad_formats()
    {
        var heatmap = new Heatmap(new double[,] { { double.NaN, 1 } }, ["r"], ["a", "b"]);
        Assert.Equal("NaN", heatmap.FormatValue(heatmap[0, 0]));
        Assert.Equal((1, 1), heatmap.ColorRange);

        Assert.Contains("row 0 ('r'), column 1 ('b') is infinite", Assert.Throws<ReportDataException>(() => new Heatmap(new double[,] { { 0, double.NegativeInfinity } }, ["r"], ["a", "b"])).Message, StringComparison.Ordinal);
        Assert.Throws<ReportDataException>(() => new Heatmap(new double[,] { { 0 } }, ["r"], ["a"]) { ValueFormat = "Q9" });
        Assert.Throws<ReportDataException>(() => new Heatmap(new double[0, 4], [], ["a", "b", "c", "d"]));
    }

    [Fact]
    public void Heatmap_copies_its_inputs()
    {
        var values = new double[,] { { 1, 2 } };
        string[] columns = ["a", "b"];
        var heatmap = new Heatmap(values, ["r"], columns);
        values[0, 0] = 9;
        columns[0] = "changed";

        Assert.Equal(1, heatmap[0, 0]);
        Assert.Equal("a", heatmap.ColumnLabels[0]);
    }

    [Theory]
    [InlineData(HeatmapNormalization.Rows, new[] { 0.25, 0.75, 0.5, 0.5 })]
    [InlineData(HeatmapNormalization.Columns, new[] { 1 / 3.0, 0.6, 2 / 3.0, 0.4 })]
    [InlineData(HeatmapNormalization.All, new[] { 0.125, 0.375, 0.25, 0.25 })]
    public void Normalising_makes_rows_columns_or_everything_sum_to_one(HeatmapNormalization mode, double[] expected)
    {
        var counts = new Heatmap(new double[,] { { 1, 3 }, { 2, 2 } }, ["e0", "e1"], ["t0", "t1"]) { Title = "counts" };
        var normalised = counts.Normalize(mode);

        Assert.Equal(expected, [normalised[0, 0], normalised[0, 1], normalised[1, 0], normalised[1, 1]], new ToleranceComparer(1e-12));
        Assert.Equal("counts", normalised.Title);
        Assert.Equal((0, 1), normalised.ColorRange);
    }

    [Fact]
    public void Normalising_negative_values_is_refused()
    {
        var delta = new Heatmap(new double[,] { { -1, 1 } }, ["r"], ["a", "b"]);

        Assert.Throws<ReportDataException>(() => delta.Normalize(HeatmapNormalization.Rows));
        Assert.Same(delta, delta.Normalize(HeatmapNormalization.None));
    }

    [Fact]
    public void Efficiency_rows_check_their_counts_and_compute_the_share_of_the_base()
    {
        var lora = new ParameterEfficiencyRow("LoRA", "LoRA", 33_282, 3_497_988, 3_464_706);

        Assert.Equal(0.960601, lora.PercentOfBase, precision: 6);
        Assert.Throws<ReportDataException>(() => new ParameterEfficiencyRow("x", "y", 11, 10, 10));
        Assert.Throws<ReportDataException>(() => new ParameterEfficiencyRow("x", "y", 1, 9, 10));
        Assert.Throws<ReportDataException>(() => new ParameterEfficiencyRow(" ", "y", 1, 10, 10));
        Assert.Throws<ReportDataException>(() => lora with { SizeOnDiskBytes = -1 });
        Assert.Throws<ReportDataException>(() => new Measurement(0.9, standardDeviation: -0.1));
    }

    [Fact]
    public void Efficiency_table_computes_delta_to_the_reference_and_the_best_row()
    {
        var full = new ParameterEfficiencyRow("Full fine-tuning", "all", 100, 100, 100) { Metric = new Measurement(0.90) };
        var lora = new ParameterEfficiencyRow("LoRA", "LoRA", 2, 102, 100) { Metric = new Measurement(0.93) };
        var table = new ParameterEfficiencyTable([full, lora], "accuracy");

        Assert.Same(full, table.Reference);
        Assert.Equal(0.03, table.DeltaToReference(lora)!.Value, precision: 12);
        Assert.Same(lora, table.Best);
        Assert.Same(full, new ParameterEfficiencyTable([full, lora], "perplexity") { HigherIsBetter = false }.Best);
        Assert.Null(new ParameterEfficiencyTable([full, lora], "accuracy", referenceMethod: "none").DeltaToReference(lora));
        Assert.Contains("pass metricName", Assert.Throws<ReportDataException>(() => new ParameterEfficiencyTable([lora])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Training_runs_keep_step_order_and_split_series()
    {
        var run = new TrainingRun("r", [new(0, 1.0), new(10, 0.5, new Dictionary<string, double> { ["acc"] = 0.7 }), new(10, null, new Dictionary<string, double> { ["lr"] = 1e-3 })]);

        Assert.Equal(["loss", "acc", "lr"], run.SeriesNames);
        Assert.Equal([(0L, 1.0), (10L, 0.5)], run.Series("loss"));
        Assert.Equal([(10L, 0.7)], run.Series("acc"));
        Assert.Contains("step 5 came after step 10", Assert.Throws<ReportDataException>(() => run.Add(new TrainingRecord(5, 0.1))).Message, StringComparison.Ordinal);
        Assert.Throws<ReportDataException>(() => new TrainingRecord(1, 0.1, new Dictionary<string, double> { ["loss"] = 1 }));
        Assert.Throws<ReportDataException>(() => new TrainingHistory(new TrainingRun("a"), new TrainingRun("a")));
    }

    [Fact]
    public void Progress_estimates_the_remaining_time_from_the_pace_so_far()
    {
        var progress = new TrainingProgress(25, 100, 0.5, TimeSpan.FromSeconds(10));

        Assert.Equal(0.25, progress.Fraction);
        Assert.Equal(TimeSpan.FromSeconds(30), progress.EstimatedRemaining);
        Assert.Null(new TrainingProgress(0, 100, 0.5, TimeSpan.Zero).EstimatedRemaining);
        Assert.Null(new TrainingProgress(7, null, 0.5, TimeSpan.FromSeconds(1)).Fraction);
        Assert.Throws<ReportDataException>(() => new TrainingProgress(101, 100, 0.5, TimeSpan.Zero));
        Assert.Throws<ReportDataException>(() => new TrainingProgress(1, 100, 0.5, TimeSpan.Zero) { Epoch = 0 });
    }

    [Fact]
    public void Expert_load_derives_drops_from_capacity_and_checks_consistency()
    {
        var load = new ExpertLoad([10, 3, 7], capacity: 6);

        Assert.Equal([4L, 0, 1], load.TokensDropped);
        Assert.Equal(20, load.TotalTokens);
        Assert.Equal(5, load.TotalDropped);
        Assert.Equal(["expert 0", "expert 1", "expert 2"], load.ExpertNames);
        Assert.Throws<ReportDataException>(() => new ExpertLoad([10, 3], tokensDropped: [1, 0], capacity: 6));
        Assert.Throws<ShapeMismatchException>(() => new ExpertLoad([10, 3], expertNames: ["only one"]));
    }

    [Fact]
    public void Model_summary_counts_parameters_over_subtrees_and_reads_their_state()
    {
        var lora = new ModelSummaryNode("query.lora", "LoRA", [new("lora_A", TensorShape.Of(2, 4), true), new("lora_B", TensorShape.Of(4, 2), true)]) { AttachedModuleName = "task" };
        var query = new ModelSummaryNode("query", "Linear", [new("weight", TensorShape.Of(4, 4), false)], [lora]);
        var root = new ModelSummaryNode("", "Model", null, [query, new ModelSummaryNode("norm", "LayerNorm")]);
        var summary = new ModelSummary(root);

        Assert.Equal((32L, 16L), (summary.ParameterCount, summary.TrainableCount));
        Assert.Equal([ParameterState.Mixed, ParameterState.Mixed, ParameterState.Trainable, ParameterState.None], summary.Nodes().Select(n => n.State));
        Assert.Equal(["", "query", "query.lora", "norm"], summary.Nodes().Select(n => n.Path));
        Assert.True(root.ContainsAttachedModule);
        Assert.Equal("16 of 32 parameters train (50%)", summary.Headline);
    }

    [Fact]
    public void Model_summary_nodes_reject_misplaced_children_and_duplicate_names()
    {
        var stray = new ModelSummaryNode("elsewhere.fc", "Linear");

        Assert.Contains("is listed under 'block'", Assert.Throws<ReportDataException>(() => new ModelSummaryNode("block", "Block", null, [stray])).Message, StringComparison.Ordinal);
        Assert.Throws<ReportDataException>(() => new ModelSummaryNode("fc", "Linear", [new("weight", TensorShape.Of(1), false), new("weight", TensorShape.Of(1), true)]));
        Assert.Throws<ReportDataException>(() => new ModelSummary(stray));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
