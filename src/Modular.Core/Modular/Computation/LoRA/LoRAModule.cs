using Modular.NN;
using Modular.Tensors;

namespace Modular.Computation;

/// <summary>The LoRA matrices of one linear layer: adds (α/r)·B·A·x to its output.</summary>
public sealed class LoRAModule : ComputationModule, Aggregation.IParameterAveraging
{
    private readonly Rng? dropoutRng;

    /// <summary>Creates A (Kaiming-uniform) and B (zeros) for an in → out layer.</summary>
    public LoRAModule(int inFeatures, int outFeatures, int rank, float scale, float dropout, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        using (var a = Init.KaimingUniform(rng, MathF.Sqrt(5f), rank, inFeatures)) A = AddParameter("A", a);
        using (var b = Tensor.Zeros(outFeatures, rank)) B = AddParameter("B", b);
        Scale = scale;
        Dropout = dropout;
        if (dropout > 0) dropoutRng = rng.Fork();
    }

    /// <summary>[rank, in].</summary>
    public Parameter A { get; }

    /// <summary>[out, rank].</summary>
    public Parameter B { get; }

    /// <summary>α / r.</summary>
    public float Scale { get; }

    /// <summary>Dropout probability on the branch input.</summary>
    public float Dropout { get; }

    /// <summary>The rank r.</summary>
    public int Rank => A.Size(0);

    /// <inheritdoc/>
    public override CompositionKind Composition => CompositionKind.Parameter;

    /// <inheritdoc/>
    public override string Description => $"r = {Rank}, scale {Scale:G3}";

    /// <inheritdoc/>
    public override Tensor Apply(Tensor input, Tensor output) => Add(input, output, A, B, Scale, Dropout, Training, dropoutRng);

    /// <summary>y + scale·(x·Aᵀ)·Bᵀ for any A, B (also averaged ones, for parameter aggregation).</summary>
    internal static Tensor Add(Tensor input, Tensor output, Tensor a, Tensor b, float scale, float dropout = 0f, bool training = false, Rng? rng = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var x = dropout > 0f && training && rng is not null ? input.Dropout(dropout, training, ForwardContext.RandomOr(rng)) : input;
        return output.Add(x.Linear(a).Linear(b).Mul(scale));
    }

    /// <summary>
    /// Parameter aggregation over LoRA modules (Polytropon's skill average): per row, A = Σⱼ wⱼAⱼ and B = Σⱼ wⱼBⱼ, then
    /// y + scale·(x·Aᵀ)·Bᵀ, as batched products over the rows.
    /// </summary>
    public Tensor ApplyAveraged(IReadOnlyList<ComputationModule> modules, Tensor weights, Tensor input, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(modules);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var loras = modules.Cast<LoRAModule>().ToList();
        if (loras.Any(m => !m.A.Shape.Equals(A.Shape) || !m.B.Shape.Equals(B.Shape)))
            throw new ShapeMismatchException("LoRA parameter averaging needs modules of equal rank and size.");
        int rows = weights.Size(0), rank = Rank, inFeatures = A.Size(1), outFeatures = B.Size(0);
        var stackedA = Tensor.Stack(loras.Select(m => (Tensor)m.A.Reshape(-1)).ToList());   // [n, r·in]
        var stackedB = Tensor.Stack(loras.Select(m => (Tensor)m.B.Reshape(-1)).ToList());   // [n, out·r]
        var rowA = weights.MatMul(stackedA).Reshape(rows, rank, inFeatures);
        var rowB = weights.MatMul(stackedB).Reshape(rows, outFeatures, rank);
        var x = input.Rank == 2 ? input.Unsqueeze(1) : input.Reshape(rows, -1, inFeatures);
        var delta = x.MatMul(rowA.Transpose(1, 2)).MatMul(rowB.Transpose(1, 2)).Mul(Scale);
        return output.Add(delta.Reshape(output.Shape.ToArray()));
    }

    /// <inheritdoc/>
    public override Tensor? WeightDelta() => B.MatMul(A).Mul(Scale);

    /// <inheritdoc/>
    public override bool CanMerge => true;

}
