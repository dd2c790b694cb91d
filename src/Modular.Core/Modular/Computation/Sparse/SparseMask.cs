using Modular.NN;
using Modular.Tensors;
using Modular.Tensors.Autograd;

namespace Modular.Computation;

/// <summary>How sparse fine-tuning chooses which weights of a layer may change.</summary>
public abstract class SparseMask
{
    /// <summary>A uniformly random subset, fixed before training (seeded).</summary>
    public static SparseMask Random { get; } = new RandomMask();

    /// <summary>The weights of largest magnitude in the base layer.</summary>
    public static SparseMask Magnitude { get; } = new ScoreMask("magnitude", (path, weight) => weight.Abs());

    /// <summary>
    /// The weights with the largest scores, e.g. |W_finetuned − W| after a short full fine-tuning (lottery-ticket
    /// sparse fine-tuning) or accumulated gradient magnitudes (diff pruning-style selection). The score function gets
    /// the layer path and its base weight and returns a tensor of the weight's shape.
    /// </summary>
    public static SparseMask FromScores(string name, Func<string, Tensor, Tensor> score) => new ScoreMask(name, score);

    /// <summary>A 0/1 tensor of the weight's shape with round(density·count) ones.</summary>
    public abstract Tensor Choose(string path, Parameter weight, float density, Rng rng);

    /// <summary>
    /// The mask of a sparse module read back from a file, named after the mask that chose it. The file holds the
    /// entries, so modules created from this recipe start from an empty mask that loading the file fills in;
    /// attaching such a recipe anew yields modules that train nothing until a mask is loaded into them.
    /// </summary>
    internal static SparseMask Loaded(string name) => new LoadedMask(name);

    /// <summary>A mask with ones at the k largest scores (ties go to the lower index, so the choice is reproducible).</summary>
    protected static Tensor TopMask(ReadOnlySpan<float> scores, int[] shape, int k)
    {
        var values = scores.ToArray();
        var order = Enumerable.Range(0, values.Length).OrderByDescending(i => values[i]).ThenBy(i => i).Take(k);
        var mask = Tensor.Zeros(shape);
        var span = mask.Span;
        foreach (int i in order) span[i] = 1f;
        return mask;
    }

    private sealed class RandomMask : SparseMask
    {
        public override Tensor Choose(string path, Parameter weight, float density, Rng rng)
        {
            using var scores = Tensor.Rand(rng, weight.Shape.ToArray());
            return TopMask(scores.Span, weight.Shape.ToArray(), Count(weight, density));
        }

        public override string ToString() => "random";
    }

    private sealed class ScoreMask(string name, Func<string, Tensor, Tensor> score) : SparseMask
    {
        public override Tensor Choose(string path, Parameter weight, float density, Rng rng)
        {
            using var noGrad = GradMode.NoGrad();
            using var s = score(path, weight);
            if (!s.Shape.Equals(weight.Shape)) throw new ShapeMismatchException($"Sparse mask '{name}' at '{path}': scores {s.Shape} must have the weight's shape {weight.Shape}.");
            using var dense = s.Contiguous().Detach();
            return TopMask(dense.ToArray(), weight.Shape.ToArray(), Count(weight, density));
        }

        public override string ToString() => name;
    }

    private sealed class LoadedMask(string name) : SparseMask
    {
        public override Tensor Choose(string path, Parameter weight, float density, Rng rng) => Tensor.Zeros(weight.Shape.ToArray());

        public override string ToString() => name;
    }

    private static int Count(Parameter weight, float density) => Math.Max(1, (int)Math.Round(density * weight.Count));
}
