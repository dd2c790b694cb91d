using Modular.Tensors;

namespace Modular.Aggregation;

/// <summary>
/// Representation aggregation by a fixed weighted average of the blocks' outputs: Σᵢ wᵢ·fᵢ(y), weights summing to 1
/// (equal by default).
/// </summary>
public sealed class Average : Block
{
    private readonly Block[] blocks;
    private readonly float[] weights;

    /// <summary>Averages the blocks with equal weights.</summary>
    public Average(params Block[] blocks) : this(null, blocks) { }

    /// <summary>Averages the blocks with the given weights (normalised to sum to 1).</summary>
    public Average(float[]? weights, params Block[] blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        if (blocks.Length < 2) throw new ConfigurationException($"Average needs at least two blocks, got {blocks.Length}.");
        weights ??= Enumerable.Repeat(1f, blocks.Length).ToArray();
        if (weights.Length != blocks.Length) throw new ConfigurationException($"Average: {weights.Length} weights for {blocks.Length} blocks.");
        float sum = weights.Sum();
        if (!(sum > 0f) || weights.Any(w => w < 0f)) throw new ConfigurationException($"Average: weights [{string.Join(", ", weights)}] must be ≥ 0 with a positive sum.");
        this.blocks = blocks;
        this.weights = weights.Select(w => w / sum).ToArray();
    }

    /// <summary>The normalised weights.</summary>
    public IReadOnlyList<float> Weights => weights;

    /// <inheritdoc/>
    public override IReadOnlyList<Block> Children => blocks;

    /// <inheritdoc/>
    public override IEnumerable<string> Names => blocks.SelectMany(b => b.Names);

    /// <inheritdoc/>
    public override Tensor Apply(Site site, Tensor input, Tensor output)
    {
        Tensor? result = null;
        for (int i = 0; i < blocks.Length; i++)
        {
            var y = blocks[i].Apply(site, input, output).Mul(weights[i]);
            result = result is null ? y : result.Add(y);
        }
        return result!;
    }
}
