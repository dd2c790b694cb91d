using Modular.NN;

namespace Modular.Optim;

/// <summary>Parameters that share optimiser settings, e.g. a router that learns faster than the modules it routes to.</summary>
public sealed class ParameterGroup
{
    /// <summary>Creates a group; a null setting falls back to the optimiser's default.</summary>
    public ParameterGroup(IEnumerable<Parameter> parameters, float? learningRate = null, float? weightDecay = null, string name = "")
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToList();
        LearningRate = learningRate;
        WeightDecay = weightDecay;
        Name = name;
    }

    /// <summary>The parameters.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>This group's base learning rate, or null for the optimiser's.</summary>
    public float? LearningRate { get; set; }

    /// <summary>This group's weight decay, or null for the optimiser's.</summary>
    public float? WeightDecay { get; set; }

    /// <summary>A label for reports ("skills", "router", …).</summary>
    public string Name { get; }
}
