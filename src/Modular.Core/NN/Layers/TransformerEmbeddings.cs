using Modular.Tensors;

namespace Modular.NN;

/// <summary>
/// Token embeddings plus learned absolute positions (the anchor model's input layer). Its output is where
/// input-level modules attach: prompt tuning prepends learned vectors here, MAD-X's invertible adapter
/// transforms it.
/// </summary>
public sealed class TransformerEmbeddings : Module, ISequenceInputLayer
{
    /// <summary>Creates token and position tables; positions start N(0, 0.02²).</summary>
    public TransformerEmbeddings(int vocabulary, int dimension, int maxLength, Rng rng)
    {
        if (maxLength < 1) throw new ConfigurationException($"TransformerEmbeddings: maxLength must be ≥ 1, got {maxLength}.");
        Tokens = Add("tokens", new Embedding(vocabulary, dimension, rng));
        using var p = Tensor.Normal(rng, 0f, 0.02f, maxLength, dimension);
        Positions = AddParameter("positions", p);
    }

    /// <summary>The token table.</summary>
    public Embedding Tokens { get; }

    /// <summary>[maxLength, dimension].</summary>
    public Parameter Positions { get; }

    /// <summary>Longest sequence the position table covers.</summary>
    public int MaxLength => Positions.Size(0);

    /// <inheritdoc/>
    public override string Description => $"{Tokens.Count} tokens × {Tokens.Dimension}, {MaxLength} positions";

    /// <summary>token(ids) + position, shape [batch, length, dimension].</summary>
    public Tensor Forward(IntTensor ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Rank != 2) throw new ShapeMismatchException($"{Describe()}: token ids {ids.Shape} must be [batch, length].");
        int length = ids.ShapeArray[1];
        if (length > MaxLength) throw new ShapeMismatchException($"{Describe()}: sequences of length {length} (token ids {ids.Shape}) exceed the {MaxLength} learned positions; truncate the input or build the model with a larger maxLength.");
        // Both operands stay alive: they are nodes of the autograd graph (a disposed one would cut the gradient off).
        var tokens = Tokens.Forward(ids);
        var positions = length == MaxLength ? Positions : Positions.Narrow(0, 0, length);
        var output = tokens.Add(positions);
        return RunHooks(output, output);
    }

    /// <inheritdoc/>
    int? IHostLayer.InputWidth => null;

    /// <inheritdoc/>
    int? IHostLayer.OutputWidth => Tokens.Dimension;

    /// <inheritdoc/>
    public Tensor TokenVectors(IntTensor ids) => Tokens.Weight.Embedding(ids);
}
