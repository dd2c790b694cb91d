using Modular.Tensors;

namespace Modular.Aggregation;

/// <summary>
/// Representation aggregation by summation: the blocks run side by side on the same host output and their
/// contributions (each block's output minus that host output) are added: y + Σᵢ (fᵢ(y) − y). (Named Sum rather than
/// Parallel, which would clash with System.Threading.Tasks.Parallel under implicit usings.)
/// </summary>
public sealed class Sum : Block
{
    private readonly Block[] blocks;

    /// <summary>Runs the given blocks side by side (at least two).</summary>
    public Sum(params Block[] blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        if (blocks.Length < 2) throw new ConfigurationException($"Sum needs at least two blocks, got {blocks.Length}.");
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
            if (!y.Shape.Equals(output.Shape)) throw new ShapeMismatchException($"Sum at '{site.HostPath}': {block} changes the output shape {output.Shape} → {y.Shape}; only shape-preserving modules can be summed (not prompts).");
            result = result.Add(y.Sub(output));
        }
        return result;
    }
}
