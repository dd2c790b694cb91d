namespace Modular.NN;

/// <summary>
/// What a layer tells the modules that attach to it (adapters, (IA)³, routers, fusion layers): the widths of the last
/// dimension of its input and output — as PEFT reads <c>in_features</c> from whatever layer it wraps. Any layer of any
/// model that implements it can host those modules.
/// </summary>
public interface IHostLayer
{
    /// <summary>Width of the last dimension of the layer's input, or null when the input is not a vector (token ids) or the layer cannot know.</summary>
    int? InputWidth { get; }

    /// <summary>Width of the last dimension of the layer's output, or null when the layer cannot know.</summary>
    int? OutputWidth { get; }
}
