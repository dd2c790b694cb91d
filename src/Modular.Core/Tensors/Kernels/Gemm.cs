using System.Runtime.CompilerServices;

namespace Modular.Tensors.Kernels;

/// <summary>
/// Single-precision matrix multiply C ← α·A·B + β·C over strided operands (transposed views need no copy).
/// <para>
/// The classic blocked scheme (Goto/BLIS): for each block of columns (NC, sized for L3) and of depth (KC, so a
/// packed B panel stays in L1), B is packed once, shared by all threads; each thread then packs its own blocks
/// of A (MC rows, sized for L2) and sweeps the register tiles of <see cref="GemmMicrokernel"/> over them.
/// </para>
/// <para>
/// Threads share the rows of C (or, when C has too few rows, its columns), never the depth: every element of C
/// is summed in the same order whatever the thread count or the share each thread took, so results are
/// bit-identical across thread counts.
/// </para>
/// </summary>
internal static unsafe class Gemm
{
    private const int DepthBlock = 256;   // KC: a packed B panel (KC×NR) stays in L1
    private const int RowBlock = 192;     // MC, rounded down to whole panels: a packed A block (MC×KC) stays in L2
    private const int ColumnBlock = 4096; // NC: a packed B block (KC×NC) stays in L3

    /// <summary>Below this many multiply-adds per thread, a second thread costs more to wake than it saves.</summary>
    private const long MinMultiplyAddsPerThread = 1 << 19;

    /// <summary>Below this many floats per thread, packing B stays on one thread.</summary>
    private const int MinPackedFloatsPerThread = 1 << 15;

    /// <summary>
    /// Lets A be read in place when it can be; tests turn it off to compare with the packed path. Per calling thread
    /// (read once per product into the job), so a test that turns it off changes no other test's products.
    /// </summary>
    internal static bool UnpackedA
    {
        get => !packAOnThisThread;
        set => packAOnThisThread = !value;
    }

    [ThreadStatic] private static bool packAOnThisThread;

    private struct Job
    {
        public GemmMicrokernel Kernel;
        public float* A, B, C, PackedB;
        public float* Bias;                         // added to every row of C with the first depth block, or null
        public nint RsA, CsA, RsB, CsB, RsC, CsC;
        public int M, N, K;
        public float Alpha, Beta;
        public int Column0, Columns, Depth0, Depth; // the current NC×KC block
        public float BlockBeta;                     // β for the first depth block, 1 after it
        public float* BlockBias;                    // the bias for the first depth block, null after it
        public bool SplitRows;                      // work blocks are rows of C (else columns)
        public bool UnpackedA;                      // the caller's UnpackedA
        public int PanelsPerBlock, Blocks, NextBlock;
    }

    /// <summary>
    /// C ← α·A·B + β·C (+ bias): A is [m, k] with element (i, p) at a[i·rsA + p·csA], B is [k, n] likewise, C is
    /// [m, n] row-major with row stride <paramref name="ldc"/>. β = 0 overwrites C whatever it held (NaN included).
    /// A non-empty <paramref name="bias"/> [n] is added to every row in the kernels' store (a linear layer's bias
    /// without a pass of its own over C): the bias joins the sums of the first depth block, ((α·A·B)₁ + β·C) + bias, and
    /// later blocks add theirs — the same bits as broadcasting the bias into C and accumulating (β = 1). Where there is
    /// no such store (k = 0, α = 0, thin outputs computed transposed), C ← β·C + bias comes first.
    /// </summary>
    public static void Multiply(int m, int n, int k, float alpha, ReadOnlySpan<float> a, int rsA, int csA, ReadOnlySpan<float> b, int rsB, int csB, float beta, Span<float> c, int ldc,
        ReadOnlySpan<float> bias = default) =>
        Multiply(GemmMicrokernel.Best, m, n, k, alpha, a, rsA, csA, b, rsB, csB, beta, c, ldc, bias);

    /// <summary>As <see cref="Multiply(int, int, int, float, ReadOnlySpan{float}, int, int, ReadOnlySpan{float}, int, int, float, Span{float}, int, ReadOnlySpan{float})"/> with a chosen microkernel (tests cover every one).</summary>
    internal static void Multiply(GemmMicrokernel kernel, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int rsA, int csA, ReadOnlySpan<float> b, int rsB, int csB, float beta, Span<float> c, int ldc,
        ReadOnlySpan<float> bias = default)
    {
        CheckExtent("A", a.Length, m, k, rsA, csA);
        CheckExtent("B", b.Length, k, n, rsB, csB);
        CheckExtent("C", c.Length, m, n, ldc, 1);
        if (!bias.IsEmpty && bias.Length != n)
            throw new ShapeMismatchException($"Gemm: bias has {bias.Length} values for {n} columns of C; pass one per column, or none.");
        if (m == 0 || n == 0) return;
        fixed (float* pa = a, pb = b, pc = c, pbias = bias)
        {
            var job = new Job
            {
                Kernel = kernel, A = pa, B = pb, C = pc, RsA = rsA, CsA = csA, RsB = rsB, CsB = csB, RsC = ldc, CsC = 1,
                M = m, N = n, K = k, Alpha = alpha, Beta = beta, Bias = bias.IsEmpty ? null : pbias, UnpackedA = UnpackedA,
            };
            bool transpose = TransposingSavesWork(kernel, m, n);
            if (job.Bias is not null && (k == 0 || alpha == 0f || transpose)) AddBiasFirst(ref job); // no store to fuse it into, or one whose rows are C's columns
            if (k == 0 || alpha == 0f) ScaleC(ref job);
            else
            {
                if (transpose) Transpose(ref job);
                Run(ref job);
            }
        }
    }

    private static void CheckExtent(string operand, int length, int rows, int columns, int rowStride, int columnStride)
    {
        if (rows < 0 || columns < 0 || rowStride < 0 || columnStride < 0)
            throw new ShapeMismatchException($"Gemm: operand {operand} is [{rows}×{columns}] with strides ({rowStride}, {columnStride}); sizes and strides must not be negative.");
        if (rows == 0 || columns == 0) return;
        long needed = (long)(rows - 1) * rowStride + (long)(columns - 1) * columnStride + 1;
        if (needed > length)
            throw new ShapeMismatchException($"Gemm: operand {operand} [{rows}×{columns}] with strides ({rowStride}, {columnStride}) reaches {needed} floats but its span holds {length}. Pass the whole matrix.");
    }

    /// <summary>
    /// Tiles are MR×NR, so a thin C (say 2048×8 against NR = 32) would waste most of each tile. Computing Cᵀ = Bᵀ·Aᵀ
    /// instead swaps the roles of the dimensions; it costs a strided write per tile, so it is taken only when it at
    /// least halves the padded work.
    /// </summary>
    private static bool TransposingSavesWork(GemmMicrokernel kernel, int m, int n)
    {
        long Padded(int rows, int columns) => (long)RoundUp(rows, kernel.Rows) * RoundUp(columns, kernel.Columns);
        return 2 * Padded(n, m) <= Padded(m, n);
    }

    private static void Transpose(ref Job job)
    {
        (job.M, job.N) = (job.N, job.M);
        float* a = job.A;
        job.A = job.B;
        job.B = a;
        (job.RsA, job.CsA, job.RsB, job.CsB) = (job.CsB, job.RsB, job.CsA, job.RsA);
        (job.RsC, job.CsC) = (job.CsC, job.RsC);
    }

    /// <summary>C ← β·C + bias, after which the product accumulates onto C (β = 1) with no bias left to add.</summary>
    private static void AddBiasFirst(ref Job job)
    {
        for (int i = 0; i < job.M; i++)
        {
            float* row = job.C + i * job.RsC;
            for (int j = 0; j < job.N; j++) row[j] = (job.Beta == 0f ? 0f : job.Beta * row[j]) + job.Bias[j];
        }
        job.Beta = 1f;
        job.Bias = null;
    }

    private static void ScaleC(ref Job job)
    {
        for (int i = 0; i < job.M; i++)
        {
            float* row = job.C + i * job.RsC;
            if (job.Beta == 0f) new Span<float>(row, job.N).Clear();
            else for (int j = 0; j < job.N; j++) row[j] *= job.Beta;
        }
    }

    private static void Run(ref Job job)
    {
        var kernel = job.Kernel;
        int depthStep = CeilDiv(job.K, CeilDiv(job.K, DepthBlock)); // even blocks: 300 → 150 + 150, not 256 + 44
        int columnStep = Math.Min(RoundUp(job.N, kernel.Columns), ColumnBlock);
        job.PackedB = GemmWorkspace.PackedB(depthStep * columnStep);
        for (job.Column0 = 0; job.Column0 < job.N; job.Column0 += columnStep)
        {
            job.Columns = Math.Min(columnStep, job.N - job.Column0);
            int columnPanels = CeilDiv(job.Columns, kernel.Columns);
            int participants = Schedule(ref job, depthStep);
            for (job.Depth0 = 0; job.Depth0 < job.K; job.Depth0 += depthStep)
            {
                job.Depth = Math.Min(depthStep, job.K - job.Depth0);
                job.BlockBeta = job.Depth0 == 0 ? job.Beta : 1f;
                job.BlockBias = job.Depth0 == 0 ? job.Bias : null;
                job.NextBlock = 0;
                fixed (Job* state = &job)
                {
                    ComputeThreads.For(columnPanels, MinPackedFloatsPerThread / (job.Depth * kernel.Columns), state, &PackBPanels);
                    ComputeThreads.For(participants, 1, state, &MultiplyBlocks);
                }
            }
        }
    }

    /// <summary>
    /// Cuts the current column block of C into work blocks that threads take in turn, and returns how many threads
    /// to use. Rows are cut when there are enough for every thread (each block then packs its own rows of A and
    /// shares the packed B); otherwise the columns, each block packing the few rows of A itself. A few blocks per
    /// thread, taken first come first served, let one thread make up for another that the machine slows down.
    /// </summary>
    private static int Schedule(ref Job job, int depth)
    {
        int mr = job.Kernel.Rows, nr = job.Kernel.Columns;
        int rowPanels = CeilDiv(job.M, mr), columnPanels = CeilDiv(job.Columns, nr);
        job.SplitRows = rowPanels >= 4 * ComputeThreads.Count || rowPanels >= columnPanels;
        int panels = job.SplitRows ? rowPanels : columnPanels;
        long panelWork = (long)depth * (job.SplitRows ? mr * job.Columns : nr * job.M);
        int threads = ComputeThreads.Degree(panels, (int)Math.Min(int.MaxValue, MinMultiplyAddsPerThread / panelWork));
        int blocks = job.SplitRows
            ? threads * CeilDiv(rowPanels, threads * (RowBlock / mr)) // at most MC rows each, the same count per thread
            : Math.Min(columnPanels, 4 * threads);
        job.PanelsPerBlock = CeilDiv(panels, blocks);
        job.Blocks = CeilDiv(panels, job.PanelsPerBlock);
        return threads;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackBPanels(void* state, int start, int end)
    {
        ref var job = ref Unsafe.AsRef<Job>(state);
        int nr = job.Kernel.Columns;
        int column0 = start * nr;
        int columns = Math.Min(end * nr, job.Columns) - column0;
        GemmPacking.PackPanels(job.B + job.Depth0 * job.RsB + (job.Column0 + column0) * job.CsB, job.CsB, job.RsB,
            columns, job.Depth, nr, 1f, job.PackedB + (nint)start * job.Depth * nr);
    }

    /// <summary>Run by every participating thread: takes the next work block until none is left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyBlocks(void* state, int start, int end)
    {
        ref var job = ref Unsafe.AsRef<Job>(state);
        int mr = job.Kernel.Rows;
        int columnPanels = CeilDiv(job.Columns, job.Kernel.Columns);
        for (int block; (block = Interlocked.Increment(ref job.NextBlock) - 1) < job.Blocks;)
        {
            int first = block * job.PanelsPerBlock, last = first + job.PanelsPerBlock;
            if (job.SplitRows) MultiplyBlock(ref job, first * mr, Math.Min(last * mr, job.M), 0, columnPanels);
            else MultiplyBlock(ref job, 0, job.M, first, Math.Min(last, columnPanels));
        }
    }

    /// <summary>Rows [row0, row1) of C against B panels [panel0, panel1) of the current block, MC rows of A at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MultiplyBlock(ref Job job, int row0, int row1, int panel0, int panel1)
    {
        var kernel = job.Kernel;
        int mr = kernel.Rows, nr = kernel.Columns;
        int rowStep = RowBlock / mr * mr;
        // A with a contiguous dimension (row-major or transposed) needs no packing when nothing scales it: the kernel
        // reads it in place. Not when a row-major A's rows lie a multiple of 2 KB apart: the 8 rows a tile reads then
        // share one or two L1 sets (64 sets of 64 bytes repeat every 4 KB) with the B panel, and evict each other.
        bool rowsAlias = job.CsA == 1 && job.RsA * sizeof(float) % 2048 == 0;
        bool inPlace = kernel.ReadsAInPlace && (job.CsA == 1 || job.RsA == 1) && !rowsAlias && job.Alpha == 1f && job.UnpackedA;
        float* packedA = inPlace ? null : GemmWorkspace.PackedA(rowStep * job.Depth);
        float* edgeTile = stackalloc float[mr * nr];
        for (int ic = row0; ic < row1; ic += rowStep)
        {
            int rows = Math.Min(rowStep, row1 - ic);
            float* blockA = job.A + ic * job.RsA + job.Depth0 * job.CsA;
            if (!inPlace) GemmPacking.PackPanels(blockA, job.RsA, job.CsA, rows, job.Depth, mr, job.Alpha, packedA);
            for (int jp = panel0; jp < panel1; jp++)
            {
                int j = jp * nr;
                int columns = Math.Min(nr, job.Columns - j);
                float* panelB = job.PackedB + (nint)jp * job.Depth * nr;
                float* c = job.C + ic * job.RsC + (job.Column0 + j) * job.CsC;
                float* bias = job.BlockBias is null ? null : job.BlockBias + job.Column0 + j;
                for (int ir = 0; ir < rows; ir += mr, c += mr * job.RsC)
                {
                    int tileRows = Math.Min(mr, rows - ir);
                    bool whole = tileRows == mr && columns == nr && job.CsC == 1;
                    float* tile = whole ? c : edgeTile;
                    nint tileStride = whole ? job.RsC : nr;
                    if (inPlace) kernel.RunInPlace(job.Depth, blockA + ir * job.RsA, job.RsA, job.CsA, tileRows, panelB, tile, tileStride, whole ? job.BlockBeta : 0f, whole ? bias : null);
                    else kernel.Run(job.Depth, packedA + (nint)ir * job.Depth, panelB, tile, tileStride, whole ? job.BlockBeta : 0f, whole ? bias : null);
                    if (!whole) MergeTile(edgeTile, nr, c, job.RsC, job.CsC, tileRows, columns, job.BlockBeta, bias);
                }
            }
        }
    }

    /// <summary>C ← tile + β·C (+ bias) for the part of a tile inside C; the same rounding as the kernels' own store.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MergeTile(float* tile, int tileStride, float* c, nint rsC, nint csC, int rows, int columns, float beta, float* bias)
    {
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
            {
                ref float cij = ref c[i * rsC + j * csC];
                float t = tile[i * tileStride + j];
                t = beta == 0f ? t : MathF.FusedMultiplyAdd(cij, beta, t);
                cij = bias is null ? t : t + bias[j];
            }
    }

    private static int CeilDiv(int value, int divisor) => (value + divisor - 1) / divisor;

    private static int RoundUp(int value, int multiple) => CeilDiv(value, multiple) * multiple;
}
