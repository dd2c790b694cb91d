using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Modular.Tensors.Kernels.Operators;

namespace Modular.Tensors.Kernels;

/// <summary>
/// The CPU backend: SIMD loops (512-bit where the hardware has it) split across <see cref="ComputeThreads"/>.
/// Kernels are marked AggressiveOptimization: tier-0 code of SIMD loops runs many times slower, and a short
/// notebook run would otherwise spend most of its time before tiering catches up.
/// </summary>
internal sealed unsafe partial class CpuBackend : Backend
{
    /// <summary>Below this many elements an element-wise kernel stays on one thread.</summary>
    private const int ParallelElements = 1 << 15;

    internal static float* Pointer(Tensor t) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(t.Data));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Copy(Tensor src, Tensor dst)
    {
        if (src.IsContiguous && dst.IsContiguous && src.Count == dst.Count)
        {
            src.Data.AsSpan(src.Offset, src.Count).CopyTo(dst.Data.AsSpan(dst.Offset, dst.Count));
            return;
        }
        Binary(BinaryKind.Add, src, ZeroScalar, dst);
    }

    // Made on first use: a static field initialiser would run before Instance exists (partial-class initialisers run in file order).
    private static Tensor ZeroScalar => ZeroHolder.Value;

    private static class ZeroHolder
    {
        public static readonly Tensor Value = Tensor.Empty([], scoped: false).FillWith(0f);
    }

    public override void AddInPlace(Tensor dst, Tensor src) => Binary(BinaryKind.Add, dst, src, dst);

    // GELU′ from x and y, then times g (the base class's two passes): two cheap passes beat one with the CDF recomputed.

    public static void ScaledAddInPlace(Span<float> dst, ReadOnlySpan<float> src, float alpha) =>
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(src, alpha, dst, dst);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Unary(UnaryKind kind, Tensor x, Tensor y, float p0 = 0, float p1 = 0)
    {
        switch (kind)
        {
            case UnaryKind.Neg: Map(new NegOperator(), x, y); break;
            case UnaryKind.Exp: Map(new ExpOperator(), x, y); break;
            case UnaryKind.Log: Map(new LogOperator(), x, y); break;
            case UnaryKind.Sqrt: Map(new SqrtOperator(), x, y); break;
            case UnaryKind.Abs: Map(new AbsOperator(), x, y); break;
            case UnaryKind.Relu: Map(new ReluOperator(), x, y); break;
            case UnaryKind.Gelu: Map(new GeluOperator(), x, y); break;
            case UnaryKind.Tanh: Map(new TanhOperator(), x, y); break;
            case UnaryKind.Sigmoid: Map(new SigmoidOperator(), x, y); break;
            case UnaryKind.Softplus: Map(new SoftplusOperator(), x, y); break;
            case UnaryKind.Affine: Map(new AffineOperator(p0, p1), x, y); break;
            case UnaryKind.Clamp: Map(new ClampOperator(p0, p1), x, y); break;
            case UnaryKind.Pow: Map(new PowOperator(p0), x, y); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Binary(BinaryKind kind, Tensor a, Tensor b, Tensor y, float p0 = 0, float p1 = 0)
    {
        switch (kind)
        {
            case BinaryKind.Add: Map(new AddOperator(), a, b, y); break;
            case BinaryKind.Sub: Map(new SubOperator(), a, b, y); break;
            case BinaryKind.Mul: Map(new MulOperator(), a, b, y); break;
            case BinaryKind.Div: Map(new DivOperator(), a, b, y); break;
            case BinaryKind.Max: Map(new MaxOperator(), a, b, y); break;
            case BinaryKind.Min: Map(new MinOperator(), a, b, y); break;
            case BinaryKind.Equal: Map(new EqualOperator(), a, b, y); break;
            case BinaryKind.ReluBackward: Map(new ReluBackwardOperator(), a, b, y); break;
            case BinaryKind.GeluDerivative: Map(new GeluDerivativeOperator(), a, b, y); break;
            case BinaryKind.TanhBackward: Map(new TanhBackwardOperator(), a, b, y); break;
            case BinaryKind.SigmoidBackward: Map(new SigmoidBackwardOperator(), a, b, y); break;
            case BinaryKind.SoftplusBackward: Map(new SoftplusBackwardOperator(), a, b, y); break;
            case BinaryKind.AbsBackward: Map(new AbsBackwardOperator(), a, b, y); break;
            case BinaryKind.ClampBackward: Map(new ClampBackwardOperator(p0, p1), a, b, y); break;
            case BinaryKind.PowBackward: Map(new PowBackwardOperator(p0), a, b, y); break;
            case BinaryKind.SqrtBackward: Map(new SqrtBackwardOperator(), a, b, y); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    // ------------------------------------------------------------------ unary

    private struct UnaryJob<TOp> where TOp : unmanaged, IUnaryOperator
    {
        public TOp Op;
        public IterationPlan Plan;
        public float* X, Y;
        public int XLength, YLength;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Map<TOp>(TOp op, Tensor x, Tensor y) where TOp : unmanaged, IUnaryOperator
    {
        var job = new UnaryJob<TOp> { Op = op, Plan = IterationPlan.Create(y, x, null), X = Pointer(x), Y = Pointer(y), XLength = x.Data.Length, YLength = y.Data.Length };
        int rows = job.Plan.Rows, inner = job.Plan.Inner;
        if (rows == 1)
        {
            ComputeThreads.For(inner, ParallelElements, &job, &UnarySingleRun<TOp>);
        }
        else
        {
            ComputeThreads.For(rows, Math.Max(1, ParallelElements / Math.Max(inner, 1)), &job, &UnaryRows<TOp>);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UnarySingleRun<TOp>(void* state, int start, int end) where TOp : unmanaged, IUnaryOperator
    {
        ref var job = ref Unsafe.AsRef<UnaryJob<TOp>>(state);
        int sx = job.Plan.InnerStrideA, sy = job.Plan.InnerStrideY;
        float* x = job.X + job.Plan.OffsetA + (long)start * sx, y = job.Y + job.Plan.OffsetY + (long)start * sy;
        Run(job.Op, x, sx, y, sy, end - start);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UnaryRows<TOp>(void* state, int start, int end) where TOp : unmanaged, IUnaryOperator
    {
        ref var job = ref Unsafe.AsRef<UnaryJob<TOp>>(state);
        int n = job.Plan.Inner, sx = job.Plan.InnerStrideA, sy = job.Plan.InnerStrideY;
        for (int row = start; row < end; row++)
        {
            job.Plan.RowOffsets(row, out int ox, out _, out int oy);
            Run(job.Op, job.X + ox, sx, job.Y + oy, sy, n);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Run<TOp>(TOp op, float* x, int sx, float* y, int sy, int n) where TOp : unmanaged, IUnaryOperator
    {
        if (sx == 1 && sy == 1) ElementwiseLoops.Unary(op, new ReadOnlySpan<float>(x, n), new Span<float>(y, n));
        else if (sx == 0 && sy == 1) new Span<float>(y, n).Fill(op.Invoke(*x));
        else ElementwiseLoops.UnaryStrided(op, new ReadOnlySpan<float>(x, (n - 1) * sx + 1), sx, new Span<float>(y, (n - 1) * sy + 1), sy, n);
    }

    // ------------------------------------------------------------------ binary

    private struct BinaryJob<TOp> where TOp : unmanaged, IBinaryOperator
    {
        public TOp Op;
        public IterationPlan Plan;
        public float* A, B, Y;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Map<TOp>(TOp op, Tensor a, Tensor b, Tensor y) where TOp : unmanaged, IBinaryOperator
    {
        var job = new BinaryJob<TOp> { Op = op, Plan = IterationPlan.Create(y, a, b), A = Pointer(a), B = Pointer(b), Y = Pointer(y) };
        int rows = job.Plan.Rows, inner = job.Plan.Inner;
        if (rows == 1) ComputeThreads.For(inner, ParallelElements, &job, &BinarySingleRun<TOp>);
        else ComputeThreads.For(rows, Math.Max(1, ParallelElements / Math.Max(inner, 1)), &job, &BinaryRows<TOp>);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BinarySingleRun<TOp>(void* state, int start, int end) where TOp : unmanaged, IBinaryOperator
    {
        ref var job = ref Unsafe.AsRef<BinaryJob<TOp>>(state);
        int sa = job.Plan.InnerStrideA, sb = job.Plan.InnerStrideB, sy = job.Plan.InnerStrideY;
        Run(job.Op, job.A + job.Plan.OffsetA + (long)start * sa, sa, job.B + job.Plan.OffsetB + (long)start * sb, sb, job.Y + job.Plan.OffsetY + (long)start * sy, sy, end - start);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BinaryRows<TOp>(void* state, int start, int end) where TOp : unmanaged, IBinaryOperator
    {
        ref var job = ref Unsafe.AsRef<BinaryJob<TOp>>(state);
        int n = job.Plan.Inner, sa = job.Plan.InnerStrideA, sb = job.Plan.InnerStrideB, sy = job.Plan.InnerStrideY;
        for (int row = start; row < end; row++)
        {
            job.Plan.RowOffsets(row, out int oa, out int ob, out int oy);
            Run(job.Op, job.A + oa, sa, job.B + ob, sb, job.Y + oy, sy, n);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Run<TOp>(TOp op, float* a, int sa, float* b, int sb, float* y, int sy, int n) where TOp : unmanaged, IBinaryOperator
    {
        if (sy == 1)
        {
            if (sa == 1 && sb == 1) { ElementwiseLoops.Binary(op, new ReadOnlySpan<float>(a, n), new ReadOnlySpan<float>(b, n), new Span<float>(y, n)); return; }
            if (sa == 1 && sb == 0) { ElementwiseLoops.Binary(op, new ReadOnlySpan<float>(a, n), *b, new Span<float>(y, n)); return; }
            if (sa == 0 && sb == 1) { ElementwiseLoops.Binary(op, *a, new ReadOnlySpan<float>(b, n), new Span<float>(y, n)); return; }
        }
        ElementwiseLoops.BinaryStrided(op, new ReadOnlySpan<float>(a, (n - 1) * sa + 1), sa, new ReadOnlySpan<float>(b, (n - 1) * sb + 1), sb, new Span<float>(y, (n - 1) * sy + 1), sy, n);
    }
}
