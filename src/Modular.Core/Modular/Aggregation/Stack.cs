using Modular.Tensors;

namespace Modular.Aggregation;

/// <summary>
/// Function aggregation by stacking: each block rewrites the output of the one before, e.g. MAD-X's language
/// adapter followed by its task adapter. For additive modules (LoRA) stacking sums their contributions; for
/// prompts it concatenates them (the last block's prompt ends up first).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "Stack is the established name of this composition block (AdapterHub, the survey).")]
public sealed class Stack : Block
{
    private readonly Block[] blocks;

    /// <summary>Stacks the given blocks in order (at least two).</summary>
    public Stack(params Block[] blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        if (blocks.Length < 2) throw new ConfigurationException($"Stack needs at least two blocks, got {blocks.Length}; use the name alone for one module.");
        this.blocks = blocks;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<Block> Children => blocks;

    /// <inheritdoc/>
    public override IEnumerable<string> Names => blocks.SelectMany(b => b.Names);

    /// <inheritdoc/>
    public override Tensor Apply(Site site, Tensor input, Tensor output)
    {
        foreach (var block in blocks) output = block.Apply(site, input, output);
        return output;
    }
}
