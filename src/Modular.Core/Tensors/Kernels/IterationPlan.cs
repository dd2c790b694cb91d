using System.Runtime.CompilerServices;

namespace Modular.Tensors.Kernels;

/// <summary>Eight ints stored inline, so that iteration plans allocate nothing.</summary>
[InlineArray(IterationPlan.MaxRank)]
internal struct InlineDims
{
    private int element;
}

/// <summary>
/// How to walk up to three operands of one output shape (inputs broadcast to it through zero strides) as
/// rows of a contiguous-or-strided inner run. Adjacent dimensions that every operand lays out densely are
/// merged first, so a contiguous tensor of any rank is a single run and <c>[N, D] + [D]</c> is N runs of D.
/// </summary>
internal struct IterationPlan
{
    public const int MaxRank = 8;

    public InlineDims Sizes;
    public InlineDims StrideA, StrideB, StrideY;
    public int OffsetA, OffsetB, OffsetY;
    public int Rank;

    /// <summary>Length of each innermost run.</summary>
    public readonly int Inner => Rank == 0 ? 1 : Sizes[Rank - 1];

    public readonly int InnerStrideA => Rank == 0 ? 0 : StrideA[Rank - 1];

    public readonly int InnerStrideB => Rank == 0 ? 0 : StrideB[Rank - 1];

    public readonly int InnerStrideY => Rank == 0 ? 0 : StrideY[Rank - 1];

    /// <summary>Number of innermost runs.</summary>
    public readonly int Rows
    {
        get
        {
            int rows = 1;
            for (int i = 0; i < Rank - 1; i++) rows *= Sizes[i];
            return rows;
        }
    }

    /// <summary>Plans the walk of <paramref name="y"/> together with <paramref name="a"/> and (optionally) <paramref name="b"/> broadcast to its shape.</summary>
    public static IterationPlan Create(Tensor y, Tensor? a, Tensor? b)
    {
        var dims = y.ShapeArray;
        int rank = dims.Length;
        var plan = new IterationPlan { OffsetY = y.Offset, OffsetA = a?.Offset ?? 0, OffsetB = b?.Offset ?? 0 };
        int r = 0;
        // Walk from the innermost dimension outwards, dropping size-1 dimensions and merging dense neighbours.
        Span<int> sz = stackalloc int[rank];
        Span<int> sa = stackalloc int[rank];
        Span<int> sb = stackalloc int[rank];
        Span<int> sy = stackalloc int[rank];
        for (int d = rank - 1; d >= 0; d--)
        {
            int size = dims[d];
            if (size == 1) continue;
            int strideA = BroadcastStride(a, d, rank), strideB = BroadcastStride(b, d, rank), strideY = y.StrideArray[d];
            if (r > 0 && sa[r - 1] * sz[r - 1] == strideA && sb[r - 1] * sz[r - 1] == strideB && sy[r - 1] * sz[r - 1] == strideY)
            {
                sz[r - 1] *= size;
                continue;
            }
            sz[r] = size;
            sa[r] = strideA;
            sb[r] = strideB;
            sy[r] = strideY;
            r++;
        }
        if (r > MaxRank) throw new ShapeMismatchException($"Element-wise operation on {y.Describe()}: the operands' layouts need {r} nested loops after merging dense dimensions; at most {MaxRank} are supported. Call Contiguous() on the inputs first.");
        plan.Rank = r;
        for (int i = 0; i < r; i++)
        {
            // stored outermost first
            plan.Sizes[i] = sz[r - 1 - i];
            plan.StrideA[i] = sa[r - 1 - i];
            plan.StrideB[i] = sb[r - 1 - i];
            plan.StrideY[i] = sy[r - 1 - i];
        }
        return plan;
    }

    private static int BroadcastStride(Tensor? t, int d, int rank)
    {
        if (t is null) return 0;
        int td = d - (rank - t.Rank);
        if (td < 0 || t.ShapeArray[td] == 1) return 0;
        return t.StrideArray[td];
    }

    /// <summary>Element offsets of the first element of run <paramref name="row"/> in each operand.</summary>
    public readonly void RowOffsets(int row, out int a, out int b, out int y)
    {
        a = OffsetA;
        b = OffsetB;
        y = OffsetY;
        for (int i = Rank - 2; i >= 0; i--)
        {
            int size = Sizes[i];
            int k = row % size;
            row /= size;
            a += k * StrideA[i];
            b += k * StrideB[i];
            y += k * StrideY[i];
        }
    }
}
