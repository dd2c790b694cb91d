using Modular.Tensors;

namespace Modular.Aggregation;

/// <summary>
/// Representation aggregation by summation: every block sees the same host output and their contributions
/// (each block's output minus that host output) are added: y + Σᵢ (fᵢ(y) − y).
/// </summary>
public sealed class Parallel : Block
{
    private readonly Block[] blocks;

    /// <summary>Runs the given blocks side by side (at least two).</summary>
    public Parallel(params Block[] blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        if (blocks.Length < 2) throw new ConfigurationException($"Parallel needs at least two blocks, got {blocks.Length}.");
        this.blocks = blocks;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<Block> Children => blocks;

    /// <inheritdoc/>
    public override IEnumerable<string> Names => blocks.SelectMany(b => b.Names);

    /// <inheritdoc/>
    public override Tensor Apply(Site site, Tensor input, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var result = output;
        foreach (var block in blocks)
        {
            var y = block.Apply(site, input, output);
            if (ReferenceEquals(y, output)) continue;
            if (!y.Shape.Equals(output.Shape)) throw new ShapeMismatchException($"Parallel at '{site.HostPath}': {block} changes the output shape {output.Shape} → {y.Shape}; only shape-preserving modules can run in parallel (not prompts).");
            result = result.Add(y.Sub(output));
        }
        return result;
    }
}
