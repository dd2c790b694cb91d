using Modular.Tensors.Kernels;
using AutogradEngine = Modular.Tensors.Autograd.Autograd;

namespace Modular.Tensors;

// Entry points of reverse-mode differentiation.
public partial class Tensor
{
    internal bool RequiresGradInternal { set => requiresGrad = value; }

    /// <summary>
    /// Computes gradients of this scalar with respect to every leaf that requires them, adding into their
    /// <see cref="Grad"/>. The graph is freed afterwards. Throws if the value is NaN or infinite.
    /// </summary>
    public void Backward()
    {
        CheckNotDisposed(this, "Backward");
        if (Count != 1) throw new AutogradException($"Backward() without a gradient needs a scalar, but {Describe()} has {Count} elements. Reduce it (e.g. .Sum() or .Mean()) or call Backward(gradient).");
        // On a device the loss is not read back here (that would cost a host read per step): the trainer checks the
        // value it logs, and a non-finite loss makes the gradient norm non-finite too.
        float value = Storage is HostStorage host ? host.Data[Offset] : 0f;
        if (!float.IsFinite(value)) throw new NonFiniteValueException($"Backward: the loss {Describe()} is {value}. Check the learning rate, the inputs and any log/division of values near zero; gradient clipping may help.");
        using var seed = FullLike(shape, 1f);
        AutogradEngine.Backward(this, seed);
    }

    /// <summary>Backward from a scalar without reading its value (the trainer reads and checks it with the gradient norm, in one host read).</summary>
    internal void BackwardUnchecked()
    {
        CheckNotDisposed(this, "Backward");
        if (Count != 1) throw new AutogradException($"Backward() without a gradient needs a scalar, but {Describe()} has {Count} elements.");
        using var seed = FullLike(shape, 1f);
        AutogradEngine.Backward(this, seed);
    }

    /// <summary>Backward from a non-scalar output with the given gradient of the same shape.</summary>
    public void Backward(Tensor gradient)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        CheckNotDisposed(this, "Backward");
        if (!gradient.Shape.Equals(Shape)) throw new ShapeMismatchException($"Backward: gradient {gradient.Describe()} must have the shape of {Describe()}.");
        AutogradEngine.Backward(this, gradient);
    }

    /// <summary>Clears the accumulated gradient (it will be allocated again at the next backward, from the pool).</summary>
    public void ZeroGrad()
    {
        Grad?.Dispose();
        Grad = null;
    }

    /// <summary>Sets every element to <paramref name="value"/> in place (no gradient recorded).</summary>
    public Tensor FillWith(float value)
    {
        CheckNotDisposed(this, "FillWith");
        Backend.Fill(this, value);
        return this;
    }
}
