using Modular.Interactive.Rendering;
using Modular.Reports;

namespace Modular.Interactive.Tests.Rendering;

public class ChartsTests
{
    [Fact]
    public void Curves_draw_one_panel_per_series_and_one_line_per_run_and_series()
    {
        var document = Html.Parse(TrainingCurvesSvg.Render(DemoReports.Curves()));

        Assert.Equal(["loss", "dev accuracy"], document.All("//text[@class='panel-title']").Select(t => t.Text()));
        Assert.Equal(4, document.All("//polyline[@class='series']").Count);
        // Loss has 60 points per run (too many for markers); accuracy has 6 per run.
        Assert.Equal(12, document.All("//circle[@class='point']").Count);
        Assert.Equal(["LoRA r=8", "Full fine-tuning"], document.All("//div[@class='legend']/span").Select(s => s.Text()));
    }

    [Fact]
    public void A_diverged_loss_breaks_the_line_instead_of_drawing_through_it()
    {
        var run = new TrainingRun("diverged", [new(0, 1.0), new(1, 0.8), new(2, double.NaN), new(3, double.PositiveInfinity), new(4, 0.7), new(5, 0.6)]);
        var lines = Html.Parse(TrainingCurvesSvg.Render(new TrainingHistory(run))).All("//polyline[@class='series']");

        Assert.Equal([2, 2], lines.Select(l => l.GetAttributeValue("points", "").Split(' ').Length));
    }

    [Fact]
    public void A_diverged_value_is_marked_at_its_step_with_the_value_not_dropped_silently()
    {
        var run = new TrainingRun("sgd", [new(1, 0.7), new(2, 0.69), new(3, 3e9), new(4, double.NaN), new(5, double.NaN), new(6, 0.6), new(7, double.PositiveInfinity)]);
        var document = Html.Parse(TrainingCurvesSvg.Render(new TrainingHistory(run)));

        var marks = document.All("//g[@class='diverged']");

        Assert.Equal(["sgd: loss diverged (NaN) at step 4", "sgd: loss diverged (Infinity) at step 7"], marks.Select(m => m.SelectSingleNode("title")!.InnerText));
        Assert.Equal(["diverged (NaN)", "diverged (Infinity)"], marks.Select(m => m.SelectSingleNode("text")!.InnerText));
        // the last mark sits at the right end of the step axis, which spans the non-finite points too
        var axisEnd = document.All("//line").Max(l => double.Parse(l.GetAttributeValue("x2", "0"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(axisEnd, double.Parse(marks[1].SelectSingleNode("line")!.GetAttributeValue("x1", ""), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Expert_load_stacks_dropped_tokens_on_kept_ones_and_marks_capacity()
    {
        var load = DemoReports.Load();
        var document = Html.Parse(ExpertLoadSvg.Render(load));

        Assert.Equal([50L, 0, 0, 12, 0, 0, 0, 0], load.TokensDropped);
        Assert.Equal(8, document.All("//rect[@class='bar-kept']").Count);
        Assert.Equal(["expert 0: 50 tokens dropped (over capacity)", "expert 3: 12 tokens dropped (over capacity)"],
            document.All("//rect[@class='bar-dropped']/title").Select(t => t.Text()));
        Assert.Single(document.All("//line[@class='reference-capacity']"));
        Assert.Equal("Layer 3 expert load: 1,024 tokens, 62 dropped (6.05%)", document.All("//div[@class='modular-title']")[0].Text());
    }

    [Fact]
    public void Model_summary_is_a_collapsible_tree_with_attached_modules_highlighted_and_opened()
    {
        var summary = DemoReports.LoraModel();
        var document = Html.Parse(ModelSummaryHtml.Render(summary));

        Assert.Equal("2,178 of 124,418 parameters train (1.75%)", document.All("//div[@class='modular-headline']")[0].Text());
        var attached = document.All("//span[@class='attached']");
        Assert.Equal(["sentiment", "sentiment"], attached.Select(a => a.Text()));
        // Every branch above an attached module starts open, so both LoRAs are visible without clicking.
        foreach (var badge in attached)
        {
            Assert.All(badge.Ancestors("details").Skip(1), d => Assert.True(d.Attributes.Contains("open")));
        }
        // Layer 1 repeats layer 0 and the value projection repeats the key: each is one row naming the original.
        Assert.Equal(["same as key", "same as 0, with"], document.All("//span[@class='same']").Select(s => s.Text()));
        // Branches: the model, embedding, layers, head, and in layer 0 the block, attention, query, its LoRA, key and ff.
        Assert.Equal(10, document.All("//details").Count);
        // Mixed: the model, layers, both blocks, attention and query of layer 0; trainable: a LoRA, its 2 tensors, the head and its 2.
        Assert.Equal(6, document.All("//span[@class='state-mixed']").Count);
        Assert.Equal(6, document.All("//span[@class='state-trainable']").Count);
    }

    [Fact]
    public void Every_rendering_is_well_formed()
    {
        foreach (object report in new object[] { DemoReports.Routing(8, 20), DemoReports.Comparison(), DemoReports.Curves(), DemoReports.Load(), DemoReports.LoraModel() })
        {
            Html.ParseXml(ReportRenderer.ToHtml(report));
        }
    }
}
