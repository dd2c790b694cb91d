using Modular.Tensors;

namespace Modular.NN;

/// <summary>Layers applied one after another; children are named 0, 1, 2, …</summary>
public sealed class Sequential : Layer
{
    private readonly List<Layer> layers = [];

    /// <summary>Chains the given layers.</summary>
    public Sequential(params Layer[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        foreach (var layer in layers) Append(layer);
    }

    /// <summary>Adds a layer at the end.</summary>
    public Sequential Append(Layer layer)
    {
        layers.Add(Add(layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer));
        return this;
    }

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<Layer> Layers => layers;

    /// <inheritdoc/>
    protected override Tensor Compute(Tensor input)
    {
        var x = input;
        foreach (var layer in layers) x = layer.Forward(x);
        return x;
    }
}
