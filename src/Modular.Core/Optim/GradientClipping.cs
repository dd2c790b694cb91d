using Modular.NN;
using Modular.Tensors.Kernels;

namespace Modular.Optim;

/// <summary>Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales all gradients by min(1, maxNorm / (‖g‖ + 1e-6)) where ‖g‖ is the L2 norm of all gradients together;
    /// returns ‖g‖ before clipping. Throws if the norm is NaN or infinite.
    /// </summary>
    public static float ClipGlobalNorm(IEnumerable<Parameter> parameters, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0f)) throw new ConfigurationException($"ClipGlobalNorm: maxNorm {maxNorm} must be > 0.");
        var withGrad = parameters.Where(p => p.Grad is not null).ToList();
        double sumSquares = 0;
        foreach (var p in withGrad) sumSquares += Backend.Current.SumOfSquares(p.Grad!.Span);
        float norm = (float)Math.Sqrt(sumSquares);
        if (!float.IsFinite(norm))
        {
            var culprit = withGrad.FirstOrDefault(p => !float.IsFinite((float)Backend.Current.SumOfSquares(p.Grad!.Span)));
            throw new NonFiniteValueException($"ClipGlobalNorm: the gradient norm is {norm}{(culprit is null ? "" : $"; parameter '{culprit.Name}' has a non-finite gradient")}. Lower the learning rate or check the loss for log(0) or division by zero.");
        }
        float coefficient = maxNorm / (norm + 1e-6f);
        if (coefficient < 1f)
            foreach (var p in withGrad) System.Numerics.Tensors.TensorPrimitives.Multiply(p.Grad!.Span, coefficient, p.Grad!.Span);
        return norm;
    }
}
