using Modular.Tensors.Kernels;

namespace Modular.Tests.Tensors;

public class GemmTests
{
    /// <summary>A strided matrix: element (i, j) at Data[i·RowStride + j·ColumnStride].</summary>
    private sealed record Matrix(int Rows, int Columns, float[] Data, int RowStride, int ColumnStride)
    {
        public float this[int i, int j] => Data[i * RowStride + j * ColumnStride];

        /// <summary>Random values stored row-major or transposed (column-major), with <paramref name="padding"/> unused floats after each stored line.</summary>
        public static Matrix Random(Random rng, int rows, int columns, bool transposed, int padding = 0)
        {
            int lines = transposed ? columns : rows, lineLength = (transposed ? rows : columns) + padding;
            var data = new float[Math.Max(1, lines * lineLength)];
            for (int i = 0; i < data.Length; i++) data[i] = (float)(rng.NextDouble() * 2 - 1);
            return transposed ? new Matrix(rows, columns, data, 1, lineLength) : new Matrix(rows, columns, data, lineLength, 1);
        }
    }

    private static readonly GemmMicrokernel[] Kernels = [GemmMicrokernel.Vector512Kernel, GemmMicrokernel.Vector256Kernel, GemmMicrokernel.ScalarKernel];

    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 1, 7, 1 }, { 5, 1, 3 }, { 1, 1, 300 }, { 3, 40, 1 }, { 8, 32, 256 }, { 9, 33, 257 },
        { 6, 16, 5 }, { 17, 65, 31 }, { 64, 64, 64 }, { 100, 37, 513 }, { 193, 70, 20 }, { 2, 300, 9 },
        { 300, 2, 9 }, { 130, 8, 256 }, { 8, 130, 256 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_kernel_matches_a_double_precision_reference_for_all_transpositions(int m, int n, int k)
    {
        var rng = new Random(m * 7919 + n * 104729 + k);
        foreach (var kernel in Kernels)
            foreach (bool transposeA in new[] { false, true })
                foreach (bool transposeB in new[] { false, true })
                {
                    var a = Matrix.Random(rng, m, k, transposeA, padding: 3);
                    var b = Matrix.Random(rng, k, n, transposeB, padding: 1);
                    var c = Matrix.Random(rng, m, n, transposed: false, padding: 5);
                    AssertProduct(kernel, 1.5f, a, b, 0.5f, c, $"{kernel.Rows}×{kernel.Columns} kernel, Aᵀ={transposeA}, Bᵀ={transposeB}");
                }
    }

    /// <summary>A linear layer's bias, added in the kernels' store: every kernel, edge tiles, several depth blocks, thin outputs (computed transposed), k = 0 and α = 0.</summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void A_bias_is_added_to_every_row_by_every_kernel(int m, int n, int k)
    {
        var rng = new Random(m * 31 + n * 17 + k);
        var bias = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
        foreach (var kernel in Kernels)
            foreach (float beta in new[] { 0f, 0.5f })
            {
                var a = Matrix.Random(rng, m, k, transposed: false, padding: 2);
                var b = Matrix.Random(rng, k, n, transposed: true, padding: 1);
                var c = Matrix.Random(rng, m, n, transposed: false, padding: 3);
                AssertProduct(kernel, 1.5f, a, b, beta, c, $"{kernel.Rows}×{kernel.Columns} kernel, β={beta}, bias", bias);
            }
        var x = Matrix.Random(rng, m, k, transposed: false);
        var w = Matrix.Random(rng, k, n, transposed: false);
        AssertProduct(GemmMicrokernel.Best, 0f, x, w, 0.5f, Matrix.Random(rng, m, n, transposed: false), "α=0, bias", bias);
        AssertProduct(GemmMicrokernel.Best, 1f, Matrix.Random(rng, m, 0, transposed: false), Matrix.Random(rng, 0, n, transposed: false), 0f, Matrix.Random(rng, m, n, transposed: false), "k=0, bias", bias);
    }

    /// <summary>
    /// Adding the bias in the store rounds exactly as filling C with it and accumulating the product (β = 1) did: the
    /// fused epilogue changes no bit of a linear layer's output.
    /// </summary>
    [Theory]
    [InlineData(2048, 256, 256)]
    [InlineData(77, 1030, 600)]
    [InlineData(300, 2, 64)]
    public void The_fused_bias_gives_the_same_bits_as_broadcast_and_accumulate(int m, int n, int k)
    {
        var rng = new Random(7);
        var a = Matrix.Random(rng, m, k, transposed: false);
        var b = Matrix.Random(rng, k, n, transposed: true);
        var bias = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var fused = new float[m * n];
        var broadcast = new float[m * n];
        for (int i = 0; i < m; i++) bias.CopyTo(broadcast, i * n);

        Gemm.Multiply(m, n, k, 1f, a.Data, a.RowStride, a.ColumnStride, b.Data, b.RowStride, b.ColumnStride, 0f, fused, n, bias);
        Gemm.Multiply(m, n, k, 1f, a.Data, a.RowStride, a.ColumnStride, b.Data, b.RowStride, b.ColumnStride, 1f, broadcast, n);

        Assert.Equal(broadcast, fused);
    }

    /// <summary>
    /// The kernel that reads a row-major A in place (no packing) computes the same chains of fused multiply-adds as
    /// the packed one, row-major or transposed: the same bits, for edge rows (re-read, never stored), several depth blocks, padded rows, β and a bias.
    /// </summary>
    [Theory]
    [InlineData(8, 32, 16)]
    [InlineData(13, 70, 300)]
    [InlineData(200, 33, 600)]
    [InlineData(3, 1000, 7)]
    [InlineData(64, 64, 64)]
    public void Reading_A_in_place_gives_the_same_bits_as_packing_it(int m, int n, int k)
    {
        var rng = new Random(m + n + k);
        foreach (bool transposeA in new[] { false, true })
        {
            var a = Matrix.Random(rng, m, k, transposeA, padding: 5);
            var b = Matrix.Random(rng, k, n, transposed: rng.Next(2) == 0, padding: 2);
            var c = Matrix.Random(rng, m, n, transposed: false);
            var bias = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray();
            var inPlace = (float[])c.Data.Clone();
            var packed = (float[])c.Data.Clone();

            Gemm.Multiply(m, n, k, 1f, a.Data, a.RowStride, a.ColumnStride, b.Data, b.RowStride, b.ColumnStride, 0.5f, inPlace, n, bias);
            try
            {
                Gemm.UnpackedA = false;
                Gemm.Multiply(m, n, k, 1f, a.Data, a.RowStride, a.ColumnStride, b.Data, b.RowStride, b.ColumnStride, 0.5f, packed, n, bias);
            }
            finally
            {
                Gemm.UnpackedA = true;
            }

            Assert.Equal(packed, inPlace);
            AssertProduct(GemmMicrokernel.Best, 1f, a, b, 0.5f, c, $"A read in place, Aᵀ={transposeA}", bias);
        }
    }

    [Fact]
    public void A_bias_of_the_wrong_length_is_refused()
    {
        var error = Assert.Throws<ShapeMismatchException>(() => Gemm.Multiply(4, 4, 4, 1f, new float[16], 4, 1, new float[16], 4, 1, 0f, new float[16], 4, new float[3]));
        Assert.Contains("bias has 3 values for 4 columns", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1f, 0f)]
    [InlineData(1f, 1f)]
    [InlineData(-2f, 0.25f)]
    [InlineData(0.5f, -1f)]
    public void Alpha_and_beta_scale_the_product_and_the_previous_contents(float alpha, float beta)
    {
        var rng = new Random(42);
        var a = Matrix.Random(rng, 37, 300, transposed: false);
        var b = Matrix.Random(rng, 300, 45, transposed: true);
        var c = Matrix.Random(rng, 37, 45, transposed: false, padding: 11);
        AssertProduct(GemmMicrokernel.Best, alpha, a, b, beta, c, $"α={alpha}, β={beta}");
    }

    [Fact]
    public void Model_sized_product_matches_the_reference_on_sampled_elements()
    {
        var rng = new Random(7);
        var a = Matrix.Random(rng, 2048, 256, transposed: false);
        var b = Matrix.Random(rng, 256, 1024, transposed: false);
        var c = new float[2048 * 1024];
        Gemm.Multiply(2048, 1024, 256, 1f, a.Data, a.RowStride, a.ColumnStride, b.Data, b.RowStride, b.ColumnStride, 0f, c, 1024);
        for (int sample = 0; sample < 500; sample++)
        {
            int i = rng.Next(2048), j = rng.Next(1024);
            var (expected, magnitude) = Dot(a, b, i, j);
            Assert.True(Math.Abs(c[i * 1024 + j] - expected) <= Tolerance(256, magnitude), $"C[{i},{j}] = {c[i * 1024 + j]}, expected {expected}");
        }
    }

    [Fact]
    public void Packing_buffers_left_full_by_a_larger_product_do_not_leak_into_edge_tiles()
    {
        var rng = new Random(5);
        foreach (var kernel in Kernels)
            foreach (bool transposed in new[] { false, true })
            {
                var big = Matrix.Random(rng, 256, 256, transposed);
                Gemm.Multiply(kernel, 256, 256, 256, 1f, big.Data, big.RowStride, big.ColumnStride, big.Data, big.RowStride, big.ColumnStride, 0f, new float[256 * 256], 256);
                var a = Matrix.Random(rng, 13, 20, transposed);
                var b = Matrix.Random(rng, 20, 40, transposed);
                AssertProduct(kernel, 1f, a, b, 0f, Matrix.Random(rng, 13, 40, transposed: false), $"{kernel.Rows}×{kernel.Columns} kernel after a larger product, transposed={transposed}");
            }
    }

    [Fact]
    public void Beta_zero_overwrites_nan_and_infinity_in_c()
    {
        var rng = new Random(3);
        var a = Matrix.Random(rng, 19, 12, transposed: false);
        var b = Matrix.Random(rng, 12, 70, transposed: false);
        var c = new float[19 * 70];
        Array.Fill(c, float.NaN);
        c[5] = float.PositiveInfinity;
        Gemm.Multiply(19, 70, 12, 1f, a.Data, a.RowStride, a.ColumnStride, b.Data, b.RowStride, b.ColumnStride, 0f, c, 70);
        Assert.All(c, value => Assert.True(float.IsFinite(value)));
        Assert.Equal(Dot(a, b, 18, 69).Value, c[^1], 4);
    }

    [Fact]
    public void Empty_depth_scales_c_by_beta_and_alpha_zero_ignores_the_operands()
    {
        float[] c = [1, 2, 3, 4, 5, 6];
        Gemm.Multiply(2, 3, 0, 1f, [], 0, 1, [], 3, 1, 2f, c, 3);
        Assert.Equal(new float[] { 2, 4, 6, 8, 10, 12 }, c);
        Gemm.Multiply(2, 3, 1, 0f, [float.NaN, float.NaN], 1, 1, [float.NaN, float.NaN, float.NaN], 3, 1, 0.5f, c, 3);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, c);
        Gemm.Multiply(2, 3, 0, 1f, [], 0, 1, [], 3, 1, 0f, c, 3);
        Assert.Equal(new float[6], c);
    }

    [Theory]
    [InlineData(512, 512, 512, false, false)] // rows split across threads
    [InlineData(8, 2048, 300, true, false)]    // too few rows: columns split
    [InlineData(2048, 8, 256, false, true)]    // thin C: computed transposed
    [InlineData(300, 700, 600, true, true)]    // several depth blocks, edges everywhere
    public void One_and_two_threads_give_bit_identical_results(int m, int n, int k, bool transposeA, bool transposeB)
    {
        var rng = new Random(11);
        var a = Matrix.Random(rng, m, k, transposeA);
        var b = Matrix.Random(rng, k, n, transposeB);
        var initial = Matrix.Random(rng, m, n, transposed: false).Data;
        float[] Run(int threads)
        {
            var c = (float[])initial.Clone();
            int saved = ComputeThreads.Count;
            ComputeThreads.Count = threads;
            try { Gemm.Multiply(m, n, k, 1f, a.Data, a.RowStride, a.ColumnStride, b.Data, b.RowStride, b.ColumnStride, 0.5f, c, n); }
            finally { ComputeThreads.Count = saved; }
            return c;
        }
        var single = Run(1);
        var dual = Run(Math.Min(2, Environment.ProcessorCount));
        Assert.Equal(single, dual);
        var (expected, magnitude) = Dot(a, b, m - 1, n - 1);
        Assert.True(Math.Abs(single[^1] - (expected + 0.5 * initial[^1])) <= Tolerance(k, magnitude + 1));
    }

    [Fact]
    public void Products_running_concurrently_on_several_threads_are_each_exact()
    {
        var rng = new Random(13);
        var a = Matrix.Random(rng, 300, 200, transposed: false);
        var b = Matrix.Random(rng, 200, 250, transposed: true);
        float[] Product()
        {
            var c = new float[300 * 250];
            Gemm.Multiply(300, 250, 200, 1f, a.Data, a.RowStride, a.ColumnStride, b.Data, b.RowStride, b.ColumnStride, 0f, c, 250);
            return c;
        }
        var expected = Product();
        var results = new float[8][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            for (int repeat = 0; repeat < 20; repeat++) results[i] = Product();
        });
        Assert.All(results, result => Assert.Equal(expected, result));
    }

    [Fact]
    public void A_span_too_short_for_the_shape_and_strides_is_rejected()
    {
        var error = Assert.Throws<ShapeMismatchException>(() => Gemm.Multiply(4, 4, 4, 1f, new float[15], 4, 1, new float[16], 4, 1, 0f, new float[16], 4));
        Assert.Contains("operand A [4×4]", error.Message, StringComparison.Ordinal);
        Assert.Throws<ShapeMismatchException>(() => Gemm.Multiply(4, 4, 4, 1f, new float[16], 4, 1, new float[16], 4, 1, 0f, new float[16], 5));
    }

    private static void AssertProduct(GemmMicrokernel kernel, float alpha, Matrix a, Matrix b, float beta, Matrix c, string what, float[]? bias = null)
    {
        int m = a.Rows, k = a.Columns, n = b.Columns;
        var data = (float[])c.Data.Clone();
        Gemm.Multiply(kernel, m, n, k, alpha, a.Data, a.RowStride, a.ColumnStride, b.Data, b.RowStride, b.ColumnStride, beta, data, c.RowStride, bias);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                var (dot, magnitude) = Dot(a, b, i, j);
                double added = bias is null ? 0 : bias[j];
                double expected = alpha * dot + beta * c[i, j] + added;
                double bound = Tolerance(k, Math.Abs(alpha) * magnitude + Math.Abs(beta * c[i, j]) + Math.Abs(added));
                float actual = data[i * c.RowStride + j];
                Assert.True(Math.Abs(actual - expected) <= bound, $"{what}: C[{i},{j}] of [{m}×{k}]·[{k}×{n}] is {actual}, expected {expected}");
            }
        for (int i = 0; i < m; i++)
            for (int j = n; j < c.RowStride && i * c.RowStride + j < data.Length; j++)
                Assert.True(data[i * c.RowStride + j] == c.Data[i * c.RowStride + j], $"{what}: padding after row {i} was written");
    }

    /// <summary>Row i of A times column j of B in double precision, and Σ|a·b| (the scale of the rounding error).</summary>
    private static (double Value, double Magnitude) Dot(Matrix a, Matrix b, int i, int j)
    {
        double sum = 0, magnitude = 0;
        for (int p = 0; p < a.Columns; p++)
        {
            double term = (double)a[i, p] * b[p, j];
            sum += term;
            magnitude += Math.Abs(term);
        }
        return (sum, magnitude);
    }

    /// <summary>The worst-case float rounding error of a k-term dot product (plus the α, β steps): (k + 3)·ε·Σ|terms|.</summary>
    private static double Tolerance(int k, double magnitude) => (k + 3) * 6e-8 * magnitude + 1e-30;
}
