using Modular.NN;
using Modular.Tensors;
using Modular.Tensors.Kernels;

namespace Modular.Optim;

/// <summary>Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales all gradients by min(1, maxNorm / (‖g‖ + 1e-6)) where ‖g‖ is the L2 norm of all gradients together;
    /// returns ‖g‖ before clipping. Throws if the norm is NaN or infinite, naming the parameter by its
    /// <see cref="Modular.Tensors.Tensor.Name"/>.
    /// </summary>
    public static float ClipGlobalNorm(IEnumerable<Parameter> parameters, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return ClipGlobalNorm(parameters.Select(p => (p.Name ?? $"(unnamed parameter {p.Shape})", p)), maxNorm);
    }

    /// <summary>
    /// <see cref="ClipGlobalNorm(IEnumerable{Parameter}, float)"/> for parameters given with their paths in the model,
    /// which a non-finite gradient's error names.
    /// </summary>
    public static float ClipGlobalNorm(IEnumerable<(string Path, Parameter Parameter)> parameters, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0f)) throw new ConfigurationException($"ClipGlobalNorm: maxNorm {maxNorm} must be > 0.");
        var withGrad = parameters.Where(p => p.Parameter.Grad is not null).ToList();
        float norm = GlobalNorm(withGrad);
        if (!float.IsFinite(norm))
            throw new NonFiniteValueException($"ClipGlobalNorm: the gradient norm is {norm}; {NonFiniteCulprit(withGrad)}. Lower the learning rate or check the loss for log(0) or division by zero.");
        ScaleToNorm(withGrad, norm, maxNorm);
        return norm;
    }

    /// <summary>Scales the gradients whose global norm is <paramref name="norm"/> (already measured) by min(1, maxNorm / (‖g‖ + 1e-6)).</summary>
    internal static void ScaleToNorm(IEnumerable<(string Path, Parameter Parameter)> parameters, float norm, float maxNorm)
    {
        float coefficient = maxNorm / (norm + 1e-6f);
        if (coefficient >= 1f) return;
        foreach (var (_, p) in parameters)
            if (p.Grad is { } grad) grad.Backend.Unary(UnaryKind.Affine, grad, grad, coefficient, 0f);
    }

    /// <summary>‖g‖ over every parameter that has a gradient (accumulated in double, so only a non-finite gradient makes it non-finite in practice).</summary>
    internal static float GlobalNorm(IEnumerable<(string Path, Parameter Parameter)> parameters)
    {
        using var norm = GlobalNormTensor(parameters, Device.Cpu);
        return norm.Item();
    }

    /// <summary>‖g‖ as a scalar on the gradients' device, read by nobody until the caller decides (one read per step in training).</summary>
    internal static Tensor GlobalNormTensor(IEnumerable<(string Path, Parameter Parameter)> parameters, Device whenNone)
    {
        Tensor? sum = null;
        foreach (var (path, p) in parameters)
        {
            if (p.Grad is not { } grad) continue;
            var squares = grad.EmptyLike([]);
            grad.Backend.SumOfSquares(grad, squares);
            if (sum is null)
            {
                sum = squares;
                continue;
            }
            if (!ReferenceEquals(sum.Backend, grad.Backend)) throw Tensor.MixedDevices($"GradientClipping at '{path}'", sum, grad);
            sum.Backend.AddInPlace(sum, squares);
            squares.Dispose();
        }
        if (sum is null) return Tensor.Zeros([], whenNone);
        sum.Backend.Unary(UnaryKind.Sqrt, sum, sum);
        return sum;
    }

    /// <summary>Which parameter makes the global norm non-finite, by path, for error messages.</summary>
    internal static string NonFiniteCulprit(IEnumerable<(string Path, Parameter Parameter)> parameters)
    {
        var culprit = parameters.FirstOrDefault(p => p.Parameter.Grad is { } grad && !grad.ToArray().All(float.IsFinite));
        return culprit.Parameter is null ? "no single parameter's gradient is non-finite, but their squares overflow together"
            : $"parameter '{culprit.Path}' {culprit.Parameter.Shape} has a non-finite gradient";
    }
}
