namespace Modular.NN;

/// <summary>A layer with an additive bias on its output (BitFit trains a change to it).</summary>
public interface IBiasedLayer : IHostLayer
{
    /// <summary>The bias [output width], or null when the layer was built without one.</summary>
    Parameter? Bias { get; }
}
