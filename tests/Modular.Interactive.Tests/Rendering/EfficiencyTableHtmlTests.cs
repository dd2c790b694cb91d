using Modular.Interactive.Rendering;
using Modular.Reports;

namespace Modular.Interactive.Tests.Rendering;

public class EfficiencyTableHtmlTests
{
    [Fact]
    public void Has_the_literature_columns_and_one_row_per_method()
    {
        var document = Html.Parse(EfficiencyTableHtml.Render(DemoReports.Comparison()));

        Assert.Equal(["Method", "Module", "Trainable", "Total", "% of base", "Per unit", "Size on disk", "accuracy", "Δ vs Full fine-tuning"],
            document.All("//th").Select(h => h.Text()));
        Assert.Equal(5, document.All("//tbody/tr").Count);
    }

    [Fact]
    public void Formats_counts_shares_sizes_metrics_and_deltas()
    {
        var lora = Html.Parse(EfficiencyTableHtml.Render(DemoReports.Comparison())).All("//tbody/tr")[2].All("td").Select(c => c.Text().Trim()).ToList();

        Assert.Equal("LoRA (r = 8)", lora[0]);
        Assert.Equal("33.3K", lora[2]);
        Assert.Equal("3.5M", lora[3]);           // 3,497,988 in three significant digits
        Assert.Equal("0.961%", lora[4]);         // 33,282 / 3,464,706
        Assert.Equal("33.3K / task", lora[5]);
        Assert.Equal("134 kB", lora[6]);         // 33,282 × 4 + 512 = 133,640 bytes
        Assert.Equal("0.905 ± 0.003", lora[7]);
        Assert.Equal("−0.007", lora[8]);         // 0.905 − 0.912
    }

    [Fact]
    public void The_best_metric_is_bold_and_deltas_are_coloured_by_sign()
    {
        var rows = Html.Parse(EfficiencyTableHtml.Render(DemoReports.Comparison())).All("//tbody/tr");

        Assert.Equal("0.912 ± 0.004", rows[0].One("td/b").Text());
        Assert.Equal(1, rows.Sum(r => r.All("td/b").Count));
        Assert.Contains("#c5221f", rows[1].All("td")[8].InnerHtml, StringComparison.Ordinal);
    }

    [Fact]
    public void Means_spreads_and_deltas_share_one_number_of_decimals_per_column()
    {
        ParameterEfficiencyRow Row(string method, double accuracy, double sd) =>
            new(method, "m", 10, 1010, 1000) { Metric = new Measurement(accuracy, sd, runs: 3) };
        var table = new ParameterEfficiencyTable([Row("full", 0.5126, 0.023), Row("adapter", 0.4126, 0.031), Row("prompt", 0.4104, 0.0036)], metricName: "accuracy", referenceMethod: "full");
        var rows = Html.Parse(EfficiencyTableHtml.Render(table)).All("//tbody/tr").Select(r => r.All("td").Select(c => c.Text().Trim()).ToList()).ToList();

        Assert.Equal(["0.513 ± 0.023", "0.413 ± 0.031", "0.410 ± 0.004"], rows.Select(r => r[^2]));
        Assert.Equal(["", "−0.100", "−0.102"], rows.Select(r => r[^1]));
    }

    [Fact]
    public void Optional_columns_are_left_out_when_no_row_has_them()
    {
        var table = new ParameterEfficiencyTable([new ParameterEfficiencyRow("BitFit", "bias terms", 10, 1000, 1000)]);
        var headers = Html.Parse(EfficiencyTableHtml.Render(table)).All("//th").Select(h => h.Text());

        Assert.Equal(["Method", "Module", "Trainable", "Total", "% of base"], headers);
    }

    [Fact]
    public void Method_names_from_users_render_as_text()
    {
        var table = new ParameterEfficiencyTable([new ParameterEfficiencyRow(DemoReports.Malicious, "a & b", 10, 1000, 1000)]) { Title = "<script>" };
        string html = EfficiencyTableHtml.Render(table);

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(DemoReports.Malicious, Html.Parse(html).All("//tbody/tr/td")[0].Text());
        Html.ParseXml(html);
    }
}
