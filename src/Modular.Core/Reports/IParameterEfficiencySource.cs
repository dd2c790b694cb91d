namespace Modular.Reports;

/// <summary>Something that can describe its own parameter cost, such as a model with modules attached; <c>#!peft-table</c> uses it.</summary>
public interface IParameterEfficiencySource
{
    /// <summary>This model's row of a parameter-efficiency table.</summary>
    ParameterEfficiencyRow DescribeParameterEfficiency();
}
