using Modular.Interactive.Rendering;
using Modular.Reports;

namespace Modular.Interactive.Tests.Rendering;

public class HeatmapSvgTests
{
    [Theory]
    [InlineData(2, 2)]
    [InlineData(8, 20)]
    [InlineData(6, 200)]
    public void Draws_one_cell_per_value_with_its_value_on_hover(int rows, int columns)
    {
        var heatmap = DemoReports.Routing(rows, columns);
        var document = Html.Parse(HeatmapSvg.Render(heatmap));

        var cells = document.All("//rect[@class='cell']");
        Assert.Equal(rows * columns, cells.Count);
        Assert.Equal($"expert 1 × token 1: {heatmap.FormatValue(heatmap[1, 1])}", cells[columns + 1].One("title").Text());
    }

    [Fact]
    public void Two_columns_get_large_cells_with_printed_values_and_horizontal_labels()
    {
        var document = Html.Parse(HeatmapSvg.Render(DemoReports.Routing(2, 2)));

        Assert.Equal("56", document.All("//rect[@class='cell']")[0].GetAttributeValue("width", ""));
        Assert.Equal(4, document.All("//text[@class='cell-value']").Count);
        Assert.All(document.All("//text[@class='axis-label' and starts-with(., 'token')]"), label => Assert.False(label.Attributes.Contains("transform")));
    }

    [Fact]
    public void Two_hundred_columns_get_narrow_cells_and_rotated_thinned_labels()
    {
        var document = Html.Parse(HeatmapSvg.Render(DemoReports.Routing(6, 200)));

        var columnLabels = document.All("//text[@class='axis-label' and starts-with(., 'token')]");
        Assert.Equal("4", document.All("//rect[@class='cell']")[0].GetAttributeValue("width", ""));
        Assert.Empty(document.All("//text[@class='cell-value']"));
        // 4 px slots and 11 px text at 45°: every 5th label, 40 in all.
        Assert.Equal(40, columnLabels.Count);
        Assert.Equal(["token 0", "token 5", "token 10"], columnLabels.Take(3).Select(l => l.One("title").Text()));
        Assert.All(columnLabels, label => Assert.StartsWith("rotate(-45", label.GetAttributeValue("transform", "")));
    }

    [Fact]
    public void Labels_and_texts_from_users_render_as_text()
    {
        var heatmap = new Heatmap(new double[,] { { 1, 2 } }, [DemoReports.Malicious], ["a&b", "\"quoted\""])
        {
            Title = DemoReports.Malicious,
            Caption = "<b>not bold</b>",
            RowAxisName = "<i>rows</i>",
        };
        string html = HeatmapSvg.Render(heatmap);
        var document = Html.Parse(html);

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(document.All("//script | //b | //i"));
        Assert.Equal(DemoReports.Malicious, document.All("//div[@class='modular-title']")[0].Text());
        Assert.Equal($"{DemoReports.Malicious} × a&b: 1", document.All("//rect[@class='cell']")[0].One("title").Text());
        Html.ParseXml(html);
    }

    [Fact]
    public void Missing_values_are_grey_and_say_NaN()
    {
        var document = Html.Parse(HeatmapSvg.Render(DemoReports.Allocation()));

        var missing = document.All("//rect[@class='cell']")[3 * 8 + 7];
        Assert.Equal(ColorScale.MissingColor, missing.GetAttributeValue("fill", ""));
        Assert.EndsWith(": NaN", missing.One("title").Text());
        Assert.Contains(document.All("//text"), t => t.Text() == "NaN");
    }

    [Fact]
    public void Colours_span_viridis_from_the_minimum_to_the_maximum()
    {
        var heatmap = new Heatmap(new double[,] { { 0, 5, 10 } }, ["r"], ["low", "mid", "high"]);
        var fills = Html.Parse(HeatmapSvg.Render(heatmap)).All("//rect[@class='cell']").Select(r => r.GetAttributeValue("fill", "")).ToList();

        Assert.Equal(["#440154", "#21918c", "#fde725"], fills);
    }

    [Fact]
    public void Values_spanning_zero_use_a_scale_centred_on_zero()
    {
        var heatmap = new Heatmap(new double[,] { { -3, 0, 1 } }, ["Δ accuracy"], ["de", "fr", "sw"]);
        var fills = Html.Parse(HeatmapSvg.Render(heatmap)).All("//rect[@class='cell']").Select(r => r.GetAttributeValue("fill", "")).ToList();

        Assert.Equal("#2166ac", fills[0]); // −3 is the extreme: darkest blue
        Assert.Equal("#f7f7f7", fills[1]); // 0 is the white centre
        Assert.Equal("#fddbc7", fills[2]); // +1 is a third of the way to +3: the first red stop
    }

    [Fact]
    public void The_legend_has_round_ticks_inside_the_value_range()
    {
        var document = Html.Parse(HeatmapSvg.Render(new Heatmap(new double[,] { { 0.03, 0.96 } }, ["r"], ["a", "b"]) { ValueFormat = "0.0" }));

        Assert.Equal(["0.2", "0.4", "0.6", "0.8"], document.All("//text[@class='legend-tick']").Select(t => t.Text()));
        Assert.Equal(48, document.All("//rect[@class='legend']").Count);
    }
}
