using Modular.Interactive.Notebook;
using Modular.Interactive.Rendering;
using Modular.Reports;

namespace Modular.Interactive.Tests.Notebook;

public class MagicCommandTests
{
    private readonly FakeModel model = new();

    private object? Lookup(string name) => name switch
    {
        "moe" or "model" => model,
        "allocation" => DemoReports.Allocation(),
        "table" => DemoReports.Comparison(),
        "count" => 42,
        _ => null,
    };

    [Fact]
    public void Summary_renders_the_models_tree_titled_with_the_variable_name()
    {
        var result = MagicCommands.ModelSummary.Run("model", Lookup);

        Assert.True(result.Succeeded);
        Assert.Equal(ModelSummaryHtml.Render(new ModelSummary(model.Summarize().Root) { Title = "model" }), result.Html);
    }

    [Fact]
    public void Summary_depth_opens_more_levels()
    {
        int Open(string arguments) => Html.Parse(MagicCommands.ModelSummary.Run(arguments, Lookup).Html).All("//details[@open]").Count;

        Assert.True(Open("model --depth 3") > Open("model --depth 0"));
    }

    [Fact]
    public void Routing_heatmap_resolves_layers_by_index_or_name_and_groups_as_asked()
    {
        Assert.True(MagicCommands.RoutingHeatmap.Run("moe --layer 2 --by script", Lookup).Succeeded);
        Assert.True(MagicCommands.RoutingHeatmap.Run("moe --layer layers.1.ff", Lookup).Succeeded);
        Assert.True(MagicCommands.RoutingHeatmap.Run("moe", Lookup).Succeeded);

        Assert.Equal([("layers.2.ff", "script"), ("layers.1.ff", "token"), ("layers.0.ff", "token")], model.HeatmapRequests);
    }

    [Fact]
    public void Routing_heatmap_normalises_rows_to_sum_to_one()
    {
        var result = MagicCommands.RoutingHeatmap.Run("moe --normalize rows", Lookup);
        var values = Html.Parse(result.Html).All("//text[@class='cell-value']").Select(t => t.Text());

        Assert.Equal(["0.75", "0.25", "0.25", "0.75"], values);
    }

    [Theory]
    [InlineData("moe --layer 7", "--layer '7' is not a routed layer; choose a name or index: 0 (layers.0.ff), 1 (layers.1.ff), 2 (layers.2.ff).")]
    [InlineData("moe --by language", "--by 'language' is not valid; choose one of: token, script.")]
    [InlineData("moe --normalize sideways", "--normalize 'sideways' is not valid; choose one of: none, rows, columns, all.")]
    [InlineData("moe --colour red", "Unknown parameter --colour; valid parameters: --layer, --by, --normalize.")]
    [InlineData("moe extra", "#!routing-heatmap takes one model, not 2 ('moe', 'extra'); give one variable name.")]
    [InlineData("moe --layer --by script", "--layer needs a value: routed layer, by name or index (default: the first).")]
    [InlineData("moe --layer", "--layer needs a value: routed layer, by name or index (default: the first).")]
    [InlineData("", "--model is missing: give the name of a variable holding a routed model.")]
    [InlineData("nothing", "No variable named 'nothing' is defined (or it is null); run the cell that defines it first.")]
    [InlineData("count", "Variable 'count' is a Int32, which has no routing record; pass a routed model (an IRoutingHeatmapSource) or a Heatmap.")]
    [InlineData("allocation --layer 1", "Variable 'allocation' is already a Heatmap; --layer and --by apply only to models.")]
    [InlineData("moe --layer \"1", "A quote is not closed; close it with a second \".")]
    public void Bad_arguments_give_a_message_naming_the_valid_ones_and_the_usage(string arguments, string message)
    {
        var result = MagicCommands.RoutingHeatmap.Run(arguments, Lookup);
        var text = Html.Parse(result.Html).DocumentNode.Text();

        Assert.False(result.Succeeded);
        Assert.Contains(message, text, StringComparison.Ordinal);
        Assert.Contains("#!routing-heatmap <model> [--layer <value>] [--by <value>] [--normalize <value>]", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at Modular.", text, StringComparison.Ordinal);
    }

    [Fact]
    public void In_a_cell_each_invocation_reads_its_own_line()
    {
        var submission = new object();
        const string cell = "// two heatmaps\n#!routing-heatmap moe --layer 2\n  #!routing-heatmap moe --layer layers.0.ff --by script\n";

        Assert.True(MagicCommands.RoutingHeatmap.RunInCell(submission, cell, Lookup).Succeeded);
        Assert.True(MagicCommands.RoutingHeatmap.RunInCell(submission, cell, Lookup).Succeeded);
        Assert.Equal([("layers.2.ff", "token"), ("layers.0.ff", "script")], model.HeatmapRequests);
        // another submission of the same text starts again at its first line
        Assert.True(MagicCommands.RoutingHeatmap.RunInCell(new object(), cell, Lookup).Succeeded);
        Assert.Equal(("layers.2.ff", "token"), model.HeatmapRequests[^1]);
    }

    [Fact]
    public void In_a_cell_without_the_commands_line_the_message_says_how_to_write_it()
    {
        var result = MagicCommands.RoutingHeatmap.RunInCell(null, "var x = 1; // #!routing-heatmap moe", Lookup);

        Assert.False(result.Succeeded);
        Assert.Contains("put the command on a line of its own, starting with #!routing-heatmap", Html.Parse(result.Html).DocumentNode.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public void Peft_table_combines_models_rows_and_tables_named_by_spaces_or_commas()
    {
        var result = MagicCommands.PeftTable.Run("model,table", Lookup);
        var document = Html.Parse(result.Html);

        Assert.True(result.Succeeded);
        Assert.Equal(6, document.All("//tbody/tr").Count);
        Assert.Contains("accuracy", document.All("//th").Select(h => h.Text()));
        Assert.True(MagicCommands.PeftTable.Run("model table --reference \"LoRA (r = 8)\"", Lookup).Succeeded);
        Assert.Equal(6, Html.Parse(MagicCommands.PeftTable.Run("model table", Lookup).Html).All("//tbody/tr").Count);
    }

    [Fact]
    public void Summary_shows_each_model_named_by_spaces()
    {
        var result = MagicCommands.ModelSummary.Run("model moe --depth 0", Lookup);

        Assert.True(result.Succeeded);
        Assert.Equal(2, Html.Parse(result.Html).All("//figure").Count);
        Assert.False(MagicCommands.ModelSummary.Run("model nothing", Lookup).Succeeded);
    }

    [Fact]
    public void Peft_table_rejects_variables_without_figures()
    {
        var result = MagicCommands.PeftTable.Run("model count", Lookup);

        Assert.False(result.Succeeded);
        Assert.Contains("Variable &#39;count&#39; is a Int32, which has no parameter-efficiency figures", result.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_command_declares_one_implicit_parameter_at_most_and_describes_each()
    {
        Assert.All(MagicCommands.All, command =>
        {
            Assert.StartsWith("#!", command.Name, StringComparison.Ordinal);
            Assert.True(command.Parameters.Count(p => p.IsImplicit) <= 1);
            Assert.All(command.Parameters, p => Assert.False(string.IsNullOrWhiteSpace(p.Description)));
        });
    }
}
