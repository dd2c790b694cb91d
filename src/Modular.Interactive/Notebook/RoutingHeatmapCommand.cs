using System.Globalization;
using Modular.Interactive.Rendering;
using Modular.Reports;

namespace Modular.Interactive.Notebook;

/// <summary><c>#!routing-heatmap model [--layer 3] [--by task] [--normalize rows]</c>: where a model routed its inputs.</summary>
public sealed class RoutingHeatmapCommand : MagicCommand
{
    private static readonly string[] Normalizations = ["none", "rows", "columns", "all"];

    /// <inheritdoc/>
    public override string Name => "#!routing-heatmap";

    /// <inheritdoc/>
    public override string Description => "Shows a model's recorded routing as a heatmap of modules × inputs, optionally normalised.";

    /// <inheritdoc/>
    public override IReadOnlyList<MagicParameter> Parameters { get; } =
    [
        new("--model", "name of a variable holding a routed model or a Heatmap", IsImplicit: true),
        new("--layer", "routed layer, by name or index (default: the first)"),
        new("--by", "what the columns group inputs by, e.g. token, task, script (default: the model's first)"),
        new("--normalize", "rescale so that rows, columns or everything sum to 1", AllowedValues: Normalizations),
    ];

    /// <inheritdoc/>
    protected override string Execute(MagicArguments arguments)
    {
        string name = arguments.Required("--model", "the name of a variable holding a routed model");
        var normalization = Enum.Parse<HeatmapNormalization>(arguments.Choice("--normalize", Normalizations, "none"), ignoreCase: true);
        var heatmap = arguments.Variable(name) switch
        {
            IRoutingHeatmapSource model => FromModel(model, arguments),
            Heatmap given when arguments["--layer"] is null && arguments["--by"] is null => given,
            Heatmap => throw new ConfigurationException($"Variable '{name}' is already a Heatmap; --layer and --by apply only to models."),
            var other => throw new ConfigurationException(
                $"Variable '{name}' is a {other.GetType().Name}, which has no routing record; pass a routed model (an {nameof(IRoutingHeatmapSource)}) or a {nameof(Heatmap)}."),
        };
        return HeatmapSvg.Render(heatmap.Normalize(normalization));
    }

    private static Heatmap FromModel(IRoutingHeatmapSource model, MagicArguments arguments)
    {
        var layers = model.RoutedLayers;
        if (layers.Count == 0) throw new ConfigurationException("The model has no routed layers; attach a router and run it on some inputs first.");
        string layer = arguments["--layer"] is { } given ? ResolveLayer(given, layers) : layers[0];
        var groupings = model.RoutingGroupings;
        if (groupings.Count == 0) throw new ConfigurationException("The model offers no grouping of its routing record.");
        string groupBy = arguments.Choice("--by", groupings, groupings[0]);
        return model.RoutingHeatmap(layer, groupBy);
    }

    private static string ResolveLayer(string given, IReadOnlyList<string> layers)
    {
        if (layers.FirstOrDefault(l => l == given) is { } named) return named;
        if (int.TryParse(given, NumberStyles.Integer, CultureInfo.InvariantCulture, out int index) && index >= 0 && index < layers.Count) return layers[index];
        throw new ConfigurationException(
            $"--layer '{given}' is not a routed layer; choose a name or index: {string.Join(", ", layers.Select((l, i) => $"{i} ({l})"))}.");
    }
}
