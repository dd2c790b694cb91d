using Modular.Interactive.Rendering;
using Modular.NN;
using Modular.Reports;

namespace Modular.Interactive.Notebook;

/// <summary><c>#!modular-summary model [other ...] [--depth 2]</c>: the module tree of each model, attached modules highlighted.</summary>
public sealed class ModelSummaryCommand : MagicCommand
{
    /// <inheritdoc/>
    public override string Name => "#!modular-summary";

    /// <inheritdoc/>
    public override string Description => "Shows the module tree of a model: types, shapes, parameter counts, what trains and which modules are attached.";

    /// <inheritdoc/>
    public override IReadOnlyList<MagicParameter> Parameters { get; } =
    [
        new("--model", "names of variables holding models or ModelSummary objects, separated by spaces", IsImplicit: true, IsList: true),
        new("--depth", "how many levels below the model start expanded (default 1)"),
    ];

    /// <inheritdoc/>
    protected override string Execute(MagicArguments arguments)
    {
        var names = arguments.Required("--model", "the name of a variable holding a model").Split([' ', ','], StringSplitOptions.RemoveEmptyEntries);
        int depth = arguments.WholeNumber("--depth", minimum: 0, fallback: 1);
        // Look every name up before rendering, so that a mistake in the last name shows alone rather than after pictures.
        var summaries = names.Select(name => (Name: name, Summary: Summarize(arguments, name))).ToList();
        return string.Concat(summaries.Select(s => ModelSummaryHtml.Render(new ModelSummary(s.Summary.Root) { Title = s.Summary.Title ?? s.Name }, depth)));
    }

    private static ModelSummary Summarize(MagicArguments arguments, string name) => arguments.Variable(name) switch
    {
        ModelSummary given => given,
        IModelSummarySource model => model.Summarize(),
        Module module => module.Summarize(),
        var other => throw new ConfigurationException(
            $"Variable '{name}' is a {other.GetType().Name}, which has no module tree; pass a model (a Module or an {nameof(IModelSummarySource)}) or a {nameof(ModelSummary)}."),
    };
}
