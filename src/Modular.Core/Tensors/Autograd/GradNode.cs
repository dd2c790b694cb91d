namespace Modular.Tensors.Autograd;

/// <summary>Computes the gradients of an operation's inputs from the gradient of its output.</summary>
/// <param name="gradOutput">Gradient of the loss with respect to the operation's output (same shape as the output).</param>
internal delegate void BackwardFunction(Tensor gradOutput);

/// <summary>
/// One recorded operation in the autograd graph: its inputs and how to push a gradient back to them.
/// Nodes are numbered in creation order, which is a topological order of the graph.
/// </summary>
internal sealed class GradNode(string name, Tensor[] inputs, BackwardFunction backward)
{
    private static long nextSequence;

    public string Name { get; } = name;

    public Tensor[] Inputs { get; private set; } = inputs;

    public BackwardFunction? Backward { get; private set; } = backward;

    public long Sequence { get; } = Interlocked.Increment(ref nextSequence);

    /// <summary>Drops the saved tensors once backward has used them; a second backward then fails clearly.</summary>
    public void Release()
    {
        Backward = null;
        Inputs = [];
    }
}
