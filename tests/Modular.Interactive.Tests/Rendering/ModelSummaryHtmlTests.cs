using Modular.Computation;
using Modular.Interactive.Rendering;
using Modular.NN;

namespace Modular.Interactive.Tests.Rendering;

public class ModelSummaryHtmlTests
{
    [Fact]
    public void The_summary_of_a_four_layer_transformer_with_lora_is_small()
    {
        // The taxonomy tour's first picture: 4 layers, LoRA on queries and values. With inline styles on every row and every layer in full it was 128 KB.
        var model = TransformerClassifier.Create(vocab: 260, dModel: 64, layers: 4, heads: 4, ff: 256, classes: 8)
            .WithModules().Attach("layers.*.attention.query|value", new LoRA(rank: 8, alpha: 16), "example").TrainOnly("example", "head");
        var summary = model.Summarize();
        string html = ModelSummaryHtml.Render(summary);

        Assert.True(html.Length < 25_000, $"the summary is {html.Length:N0} characters");
        var document = Html.Parse(html);
        // the stylesheet is emitted once, and no row repeats the styles inline
        Assert.Single(document.All("//style"));
        Assert.Empty(document.All("//div[@class='modular-tree']//*[@style]"));
        // layer 0 in full (inside it, the value projection repeats the query, with its LoRA); layers 1-3 as one row
        // each, naming the module attached inside
        var repeats = document.All("//span[@class='same']").Select(s => s.Text()).ToList();
        Assert.Equal(3, repeats.Count(r => r == "same as 0, with"));
        Assert.Contains("same as query, with", repeats);
        Assert.All(document.All("//span[@class='attached']"), a => Assert.Equal("example", a.Text()));
    }
}
