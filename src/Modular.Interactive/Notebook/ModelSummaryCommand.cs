using Modular.Interactive.Rendering;
using Modular.NN;
using Modular.Reports;

namespace Modular.Interactive.Notebook;

/// <summary><c>#!modular-summary model [--depth 2]</c>: the module tree of a model, attached modules highlighted.</summary>
public sealed class ModelSummaryCommand : MagicCommand
{
    /// <inheritdoc/>
    public override string Name => "#!modular-summary";

    /// <inheritdoc/>
    public override string Description => "Shows the module tree of a model: types, shapes, parameter counts, what trains and which modules are attached.";

    /// <inheritdoc/>
    public override IReadOnlyList<MagicParameter> Parameters { get; } =
    [
        new("--model", "name of a variable holding a model or a ModelSummary", IsImplicit: true),
        new("--depth", "how many levels below the model start expanded (default 1)"),
    ];

    /// <inheritdoc/>
    protected override string Execute(MagicArguments arguments)
    {
        string name = arguments.Required("--model", "the name of a variable holding a model");
        var summary = arguments.Variable(name) switch
        {
            ModelSummary given => given,
            IModelSummarySource model => model.Summarize(),
            Module module => module.Summarize(),
            var other => throw new ConfigurationException(
                $"Variable '{name}' is a {other.GetType().Name}, which has no module tree; pass a model (a Module or an {nameof(IModelSummarySource)}) or a {nameof(ModelSummary)}."),
        };
        var titled = new ModelSummary(summary.Root) { Title = summary.Title ?? name };
        return ModelSummaryHtml.Render(titled, arguments.WholeNumber("--depth", minimum: 0, fallback: 1));
    }
}
