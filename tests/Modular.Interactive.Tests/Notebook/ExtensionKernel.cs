using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using Modular.Reports;

namespace Modular.Interactive.Tests.Notebook;

/// <summary>
/// An in-process C# kernel with the Modular extension loaded as the real kernel loads it: the assemblies referenced,
/// then extension.dib run as a submission. An in-process kernel has neither the default formatters nor the package
/// extension loader, so this wires both; it also defines small models for the magic commands to look up.
/// </summary>
public sealed class ExtensionKernel : IAsyncLifetime
{
    private const string Models = """
        using Modular; using Modular.CaseStudies; using Modular.Computation; using Modular.NN; using Modular.Tensors;
        var lora = TransformerClassifier.Create(vocab: 16, dModel: 8, layers: 1, heads: 2, ff: 16, classes: 2)
            .WithModules().Attach("layers.*.attention.query", new LoRA(rank: 2, alpha: 4), "lora").TrainOnly("lora", "head");
        var extra = TransformerClassifier.Create(vocab: 16, dModel: 8, layers: 2, heads: 2, ff: 16, classes: 2)
            .WithModules().Attach("layers.*.attention.value", new LoRA(rank: 4, alpha: 8), "extra").TrainOnly("extra", "head");
        var moe = MoeTransformer.Create(vocab: 16, dModel: 8, layers: 2, heads: 2, ff: 16, classes: 2, experts: 4, topK: 1, capacityFactor: 4f);
        using (ForwardContext.Begin()) moe.Forward(IntTensor.FromArray([1, 2, 3, 4, 5, 6, 7, 8], 2, 4));
        """;

    /// <summary>The kernel a notebook talks to.</summary>
    public CompositeKernel Kernel { get; private set; } = null!;

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        Formatter.ResetToDefault();
        var csharp = new CSharpKernel();
        Kernel = new CompositeKernel { csharp };
        Kernel.DefaultKernelName = csharp.Name;
        string references = string.Join("\n", new[] { typeof(Output).Assembly, typeof(ModularModel).Assembly }.Select(a => $"#r \"{a.Location}\""));
        await Succeed(references);
        string dib = await File.ReadAllTextAsync(Path.Combine(Repository.Root, "src", "Modular.Interactive", "extension.dib"));
        await Succeed(dib[(dib.IndexOf('\n', StringComparison.Ordinal) + 1)..]);
        await Succeed(Models);
    }

    /// <inheritdoc/>
    public Task DisposeAsync()
    {
        Output.UseNotebook(null);
        AmbientProgress.Factory = static () => null;
        Formatter.ResetToDefault();
        Kernel.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Submits a cell and returns what it produced.</summary>
    public async Task<CellResult> Run(string code) => new((await Kernel.SendAsync(new SubmitCode(code))).Events);

    private async Task Succeed(string code)
    {
        var result = await Run(code);
        Assert.True(result.Failures.Count == 0, string.Join("\n", result.Failures));
    }
}

/// <summary>The events of one cell, by kind.</summary>
public sealed record CellResult(IReadOnlyList<KernelEvent> Events)
{
    /// <summary>HTML of every output the cell displayed, in order.</summary>
    public IReadOnlyList<string> Html => [.. Events.OfType<DisplayedValueProduced>().SelectMany(e => e.FormattedValues).Where(v => v.MimeType == "text/html").Select(v => v.Value)];

    /// <summary>Outputs replaced in place (live progress).</summary>
    public int Updates => Events.OfType<DisplayedValueUpdated>().Count();

    /// <summary>Messages of failed commands.</summary>
    public IReadOnlyList<string> Failures => [.. Events.OfType<CommandFailed>().Select(e => e.Message)];

    /// <summary>Everything written to standard error.</summary>
    public string StandardError => string.Concat(Events.OfType<StandardErrorValueProduced>().SelectMany(e => e.FormattedValues).Select(v => v.Value));
}
