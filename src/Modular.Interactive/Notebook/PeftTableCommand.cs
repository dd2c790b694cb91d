using Modular.Interactive.Rendering;
using Modular.Reports;

namespace Modular.Interactive.Notebook;

/// <summary><c>#!peft-table lora adapter bitfit [--metric accuracy]</c>: the parameter-efficiency table of one or more models.</summary>
public sealed class PeftTableCommand : MagicCommand
{
    /// <inheritdoc/>
    public override string Name => "#!peft-table";

    /// <inheritdoc/>
    public override string Description => "Compares models with parameter-efficient modules: trainable parameters, share of the base, size on disk, metric, Δ to full fine-tuning.";

    /// <inheritdoc/>
    public override IReadOnlyList<MagicParameter> Parameters { get; } =
    [
        new("--models", "names of variables holding models, rows or tables, separated by spaces or commas", IsImplicit: true, IsList: true),
        new("--metric", "name of the metric the rows carry (default \"metric\")"),
        new("--reference", $"method that Δ is measured against (default \"{ParameterEfficiencyTable.FullFineTuning}\")"),
    ];

    /// <inheritdoc/>
    protected override string Execute(MagicArguments arguments)
    {
        var names = arguments.Required("--models", "one or more variable names").Split([' ', ','], StringSplitOptions.RemoveEmptyEntries);
        var rows = new List<ParameterEfficiencyRow>();
        string? tableMetric = null;
        foreach (string name in names)
        {
            switch (arguments.Variable(name))
            {
                case IParameterEfficiencySource model:
                    rows.Add(model.DescribeParameterEfficiency());
                    break;
                case ParameterEfficiencyRow row:
                    rows.Add(row);
                    break;
                case ParameterEfficiencyTable table:
                    rows.AddRange(table.Rows);
                    tableMetric ??= table.MetricName;
                    break;
                case var other:
                    throw new ConfigurationException(
                        $"Variable '{name}' is a {other.GetType().Name}, which has no parameter-efficiency figures; pass models ({nameof(IParameterEfficiencySource)}), rows or tables.");
            }
        }
        string? metric = arguments["--metric"] ?? tableMetric ?? (rows.Any(r => r.Metric is not null) ? "metric" : null);
        var combined = new ParameterEfficiencyTable(rows, metric, arguments["--reference"] ?? ParameterEfficiencyTable.FullFineTuning);
        return EfficiencyTableHtml.Render(combined);
    }
}
