using Modular.Tensors;

namespace Modular.Reports;

/// <summary>One parameter tensor a module owns directly: its local name, shape and whether it trains.</summary>
public sealed record ParameterInfo
{
    /// <summary>Creates the description; <paramref name="name"/> is local to the module ("weight", "lora_A").</summary>
    public ParameterInfo(string name, TensorShape shape, bool trainable)
    {
        Name = Labels.Required(name, "A parameter");
        Shape = shape;
        Trainable = trainable;
    }

    /// <summary>Name within its module, e.g. "weight".</summary>
    public string Name { get; }

    /// <summary>Shape of the tensor.</summary>
    public TensorShape Shape { get; }

    /// <summary>Whether an optimiser updates it.</summary>
    public bool Trainable { get; }

    /// <summary>Number of scalars it holds.</summary>
    public long Count => Shape.Elements;
}
