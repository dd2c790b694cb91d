namespace Modular.Interactive.Tests.Notebook;

/// <summary>
/// Every magic command, with good and bad arguments, in a real (in-process) .NET Interactive C# kernel that loaded
/// extension.dib: what the user types goes through the kernel's own parser first.
/// </summary>
[Collection(nameof(GlobalState))]
public sealed class InProcessKernelTests(ExtensionKernel kernel) : IClassFixture<ExtensionKernel>
{
    [Theory]
    [InlineData("#!modular-summary lora", "modular-summary", 1)]
    [InlineData("#!modular-summary lora extra --depth 0", "modular-summary", 2)]
    [InlineData("#!peft-table lora extra", "modular-peft-table", 1)]
    [InlineData("#!peft-table lora,extra --metric accuracy", "modular-peft-table", 1)]
    [InlineData("#!routing-heatmap moe", "modular-heatmap", 1)]
    [InlineData("#!routing-heatmap moe --layer 1 --normalize rows", "modular-heatmap", 1)]
    public async Task What_the_usage_text_says_works(string cell, string figure, int count)
    {
        var result = await kernel.Run(cell);

        Assert.Empty(result.Failures);
        Assert.Equal("", result.StandardError);
        var html = Assert.Single(result.Html);
        Assert.Equal(count, Html.Parse(html).All($"//figure[contains(@class, '{figure}')]").Count);
    }

    [Fact]
    public async Task Both_models_of_a_space_separated_peft_table_are_rows()
    {
        var html = Assert.Single((await kernel.Run("#!peft-table lora extra")).Html);

        Assert.Equal(2, Html.Parse(html).All("//tbody/tr").Count);
    }

    [Theory]
    [InlineData("#!modular-train off", "#!modular-train", "Unexpected 'off'; #!modular-train takes only named parameters: --progress, --refresh-ms; did you mean --progress off?")]
    [InlineData("#!modular-train --progress", "#!modular-train", "--progress needs a value: where progress goes (default live in a notebook, console elsewhere).")]
    [InlineData("#!modular-train --progress sideways", "#!modular-train", "--progress 'sideways' is not valid; choose one of: live, console, off.")]
    [InlineData("#!modular-summary lora --depth", "#!modular-summary", "--depth needs a value: how many levels below the model start expanded (default 1).")]
    [InlineData("#!modular-summary lora --depth deep", "#!modular-summary", "--depth 'deep' is not valid; give a whole number ≥ 0.")]
    [InlineData("#!modular-summary", "#!modular-summary", "--model is missing: give the name of a variable holding a model.")]
    [InlineData("#!modular-summary lora nothing", "#!modular-summary", "No variable named 'nothing' is defined (or it is null); run the cell that defines it first.")]
    [InlineData("#!routing-heatmap moe --layer", "#!routing-heatmap", "--layer needs a value: routed layer, by name or index (default: the first).")]
    [InlineData("#!routing-heatmap moe --layer 7", "#!routing-heatmap", "--layer '7' is not a routed layer; choose a name or index: 0 (")]
    [InlineData("#!routing-heatmap moe --normalize sideways", "#!routing-heatmap", "--normalize 'sideways' is not valid; choose one of: none, rows, columns, all.")]
    [InlineData("#!routing-heatmap moe extra", "#!routing-heatmap", "#!routing-heatmap takes one model, not 2 ('moe', 'extra'); give one variable name.")]
    [InlineData("#!routing-heatmap lora", "#!routing-heatmap", "The model has no routed layers; attach a router and run it on some inputs first.")]
    [InlineData("#!peft-table lora moe2", "#!peft-table", "No variable named 'moe2' is defined (or it is null); run the cell that defines it first.")]
    public async Task Each_bad_input_gets_one_Modular_message_with_the_usage(string cell, string command, string message)
    {
        var result = await kernel.Run(cell);

        Assert.Empty(result.Failures);
        Assert.Equal("", result.StandardError);
        var html = Html.Parse(Assert.Single(result.Html));
        var box = Assert.Single(html.All("//div[@class='modular-message']"));
        Assert.StartsWith($"{command}: {message}", box.Text(), StringComparison.Ordinal);
        Assert.StartsWith(command + " ", box.SelectSingleNode("pre")!.Text(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", box.Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_commands_in_one_cell_each_read_their_own_line()
    {
        var result = await kernel.Run("#!routing-heatmap moe --layer 0\n#!routing-heatmap moe --layer 9");

        Assert.Equal(2, result.Html.Count);
        Assert.Contains("modular-heatmap", result.Html[0], StringComparison.Ordinal);
        Assert.Contains("--layer &#39;9&#39; is not a routed layer", result.Html[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_flag_is_rejected_by_the_kernel_before_Modular_sees_it()
    {
        // Documented in docs/notebooks.md: the kernel's parser refuses names the command did not declare.
        var result = await kernel.Run("#!routing-heatmap moe --colour red");

        Assert.Empty(result.Html);
        Assert.Contains("--colour", Assert.Single(result.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Training_shows_one_live_output_updated_in_place_and_off_turns_it_off()
    {
        const string Train = """
            var trainer = new Modular.Training.Trainer(lora, new Modular.Optim.AdamW(1e-3f), options: new Modular.Training.TrainerOptions { Epochs = 2 });
            var data = new Modular.Training.SequenceDataset(Enumerable.Range(0, 32).Select(i => new[] { i % 16, (i + 1) % 16 }).ToList(), Enumerable.Range(0, 32).Select(i => i % 2).ToList(), batchSize: 4, shuffle: false);
            trainer.Fit(data);
            """;
        var live = await kernel.Run("#!modular-train --progress live --refresh-ms 0\n" + Train);

        Assert.Empty(live.Failures);
        Assert.Equal(2, live.Html.Count); // the command's confirmation, then the progress output
        Assert.Contains("modular-progress", live.Html[1], StringComparison.Ordinal);
        Assert.True(live.Updates >= 2, $"{live.Updates} updates");

        var off = await kernel.Run("#!modular-train --progress off\n" + Train);
        Assert.Single(off.Html);
        Assert.Equal(0, off.Updates);
        await kernel.Run("#!modular-train --progress live");
    }
}
