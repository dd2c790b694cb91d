using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Modular.Tensors.Kernels.Operators;

namespace Modular.Tensors.Kernels;

/// <summary>Row-wise kernels: reductions, softmax, layer norm, row gathers. Rows are split across threads.</summary>
internal sealed unsafe partial class CpuBackend
{
    private struct RowJob
    {
        public float* X, G, Y, Gamma, Beta, Mean, Rstd, Dx;
        public int* Index;
        public int Outer, N, Inner;
        public float Eps;
        public bool Log;
    }

    private static int RowsPerChunk(int rowLength) => Math.Max(1, ParallelElements / Math.Max(1, rowLength));

    // ------------------------------------------------------------------ sum / max over an axis

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void SumAxis(ReadOnlySpan<float> x, int outer, int n, int inner, Span<float> y)
    {
        fixed (float* px = x, py = y)
        {
            var job = new RowJob { X = px, Y = py, Outer = outer, N = n, Inner = inner };
            // one reduction over many rows (a bias gradient): split the columns instead of the (single) outer row
            if (outer == 1 && inner >= 256) ComputeThreads.For(inner, Math.Max(64, ParallelElements / Math.Max(1, n)), &job, &SumColumns);
            else ComputeThreads.For(outer, RowsPerChunk(n * inner), &job, &SumRows);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SumRows(void* state, int start, int end)
    {
        ref var j = ref Unsafe.AsRef<RowJob>(state);
        int n = j.N, inner = j.Inner;
        for (int o = start; o < end; o++)
        {
            float* src = j.X + (long)o * n * inner;
            if (inner == 1)
            {
                j.Y[o] = TensorPrimitives.Sum(new ReadOnlySpan<float>(src, n));
                continue;
            }
            var dst = new Span<float>(j.Y + (long)o * inner, inner);
            if (n == 0) { dst.Clear(); continue; }
            new ReadOnlySpan<float>(src, inner).CopyTo(dst);
            for (int r = 1; r < n; r++) TensorPrimitives.Add(dst, new ReadOnlySpan<float>(src + (long)r * inner, inner), dst);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SumColumns(void* state, int start, int end)
    {
        ref var j = ref Unsafe.AsRef<RowJob>(state);
        int width = end - start;
        var dst = new Span<float>(j.Y + start, width);
        new ReadOnlySpan<float>(j.X + start, width).CopyTo(dst);
        for (int r = 1; r < j.N; r++) TensorPrimitives.Add(dst, new ReadOnlySpan<float>(j.X + (long)r * j.Inner + start, width), dst);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MaxAxis(ReadOnlySpan<float> x, int outer, int n, int inner, Span<float> values, Span<int> indices)
    {
        for (int o = 0; o < outer; o++)
        {
            int baseOffset = o * n * inner;
            for (int i = 0; i < inner; i++)
            {
                float best = x[baseOffset + i];
                int arg = 0;
                for (int r = 1; r < n; r++)
                {
                    float v = x[baseOffset + r * inner + i];
                    if (v > best || (float.IsNaN(v) && !float.IsNaN(best))) { best = v; arg = r; }
                }
                values[o * inner + i] = best;
                indices[o * inner + i] = arg;
            }
        }
    }

    // ------------------------------------------------------------------ softmax

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Softmax(ReadOnlySpan<float> x, Span<float> y, int rows, int n, bool log)
    {
        fixed (float* px = x, py = y)
        {
            var job = new RowJob { X = px, Y = py, Outer = rows, N = n, Log = log };
            ComputeThreads.For(rows, RowsPerChunk(n), &job, &SoftmaxRows);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SoftmaxRows(void* state, int start, int end)
    {
        ref var j = ref Unsafe.AsRef<RowJob>(state);
        int n = j.N;
        for (int r = start; r < end; r++)
        {
            var x = new ReadOnlySpan<float>(j.X + (long)r * n, n);
            var y = new Span<float>(j.Y + (long)r * n, n);
            if (!j.Log)
            {
                SoftmaxRow(x, y);
                continue;
            }
            // log-softmax: (x − max) − log Σ exp(x − max); y holds the exponentials for the sum, then x − max again
            float max = RowMaximum(x);
            TensorPrimitives.Subtract(x, max, y);
            ElementwiseLoops.Unary(default(ExpOperator), y, y);
            float sum = TensorPrimitives.Sum(y);
            TensorPrimitives.Subtract(x, max, y);
            TensorPrimitives.Subtract(y, MathF.Log(sum), y);
        }
    }

    /// <summary>y ← softmax(x) for one row (y may be x itself); a fully masked row (all −∞) becomes NaN, as in PyTorch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SoftmaxRow(ReadOnlySpan<float> x, Span<float> y)
    {
        TensorPrimitives.Subtract(x, RowMaximum(x), y);
        ElementwiseLoops.Unary(default(ExpOperator), y, y);
        TensorPrimitives.Multiply(y, 1f / TensorPrimitives.Sum(y), y);
    }

    /// <summary>The row's maximum, or 0 for a fully masked row: exp stays finite and the NaN comes from 0/0, as in PyTorch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float RowMaximum(ReadOnlySpan<float> x)
    {
        float max = TensorPrimitives.Max(x);
        return float.IsNegativeInfinity(max) ? 0f : max;
    }

    /// <summary>dx ← y ⊙ (g − ⟨g, y⟩): softmax's input gradient for one row from its output y (dx may be g itself).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SoftmaxBackwardRow(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> dx)
    {
        TensorPrimitives.Subtract(g, TensorPrimitives.Dot(g, y), dx);
        TensorPrimitives.Multiply(dx, y, dx);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void SoftmaxBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> dx, int rows, int n, bool log)
    {
        fixed (float* py = y, pg = g, pdx = dx)
        {
            var job = new RowJob { Y = py, G = pg, Dx = pdx, Outer = rows, N = n, Log = log };
            ComputeThreads.For(rows, RowsPerChunk(n), &job, &SoftmaxBackwardRows);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SoftmaxBackwardRows(void* state, int start, int end)
    {
        ref var j = ref Unsafe.AsRef<RowJob>(state);
        int n = j.N;
        for (int r = start; r < end; r++)
        {
            var y = new ReadOnlySpan<float>(j.Y + (long)r * n, n);
            var g = new ReadOnlySpan<float>(j.G + (long)r * n, n);
            var dx = new Span<float>(j.Dx + (long)r * n, n);
            if (j.Log)
            {
                // d/dx log-softmax: g − softmax · Σg, softmax = exp(y)
                float sumG = TensorPrimitives.Sum(g);
                ElementwiseLoops.Unary(default(ExpOperator), y, dx);
                TensorPrimitives.MultiplyAdd(dx, -sumG, g, dx);
            }
            else SoftmaxBackwardRow(y, g, dx);
        }
    }

    // ------------------------------------------------------------------ layer norm

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void LayerNorm(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, Span<float> y, Span<float> mean, Span<float> rstd, int rows, int n, float eps)
    {
        fixed (float* px = x, pg = gamma, pb = beta, py = y, pm = mean, pr = rstd)
        {
            var job = new RowJob { X = px, Gamma = gamma.IsEmpty ? null : pg, Beta = beta.IsEmpty ? null : pb, Y = py, Mean = pm, Rstd = pr, Outer = rows, N = n, Eps = eps };
            ComputeThreads.For(rows, RowsPerChunk(n), &job, &LayerNormRows);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LayerNormRows(void* state, int start, int end)
    {
        ref var j = ref Unsafe.AsRef<RowJob>(state);
        int n = j.N;
        for (int r = start; r < end; r++)
        {
            var x = new ReadOnlySpan<float>(j.X + (long)r * n, n);
            var y = new Span<float>(j.Y + (long)r * n, n);
            float mu = TensorPrimitives.Sum(x) / n;
            TensorPrimitives.Subtract(x, mu, y);
            float variance = TensorPrimitives.SumOfSquares(y) / n; // biased, as PyTorch
            float rs = 1f / MathF.Sqrt(variance + j.Eps);
            j.Mean[r] = mu;
            j.Rstd[r] = rs;
            if (j.Gamma is null)
            {
                TensorPrimitives.Multiply(y, rs, y);
                continue;
            }
            var gamma = new ReadOnlySpan<float>(j.Gamma, n);
            TensorPrimitives.Multiply(y, rs, y);
            if (j.Beta is null) TensorPrimitives.Multiply(y, gamma, y);
            else TensorPrimitives.FusedMultiplyAdd(y, gamma, new ReadOnlySpan<float>(j.Beta, n), y);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void LayerNormBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> gamma, ReadOnlySpan<float> mean, ReadOnlySpan<float> rstd, ReadOnlySpan<float> g,
        Span<float> dx, Span<float> dgamma, Span<float> dbeta, int rows, int n)
    {
        fixed (float* px = x, pgm = gamma, pm = mean, pr = rstd, pg = g, pdx = dx, pdg = dgamma, pdb = dbeta)
        {
            var job = new RowJob { X = px, Gamma = gamma.IsEmpty ? null : pgm, Mean = pm, Rstd = pr, G = pg, Dx = dx.IsEmpty ? null : pdx, Y = dgamma.IsEmpty ? null : pdg, Beta = dbeta.IsEmpty ? null : pdb, Outer = rows, N = n };
            if (job.Dx is not null) ComputeThreads.For(rows, RowsPerChunk(n), &job, &LayerNormInputGradRows);
            if (job.Y is not null || job.Beta is not null) ComputeThreads.For(n, 64, &job, &LayerNormAffineGradColumns);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LayerNormInputGradRows(void* state, int start, int end)
    {
        ref var j = ref Unsafe.AsRef<RowJob>(state);
        int n = j.N;
        Span<float> scratch = n <= 4096 ? stackalloc float[2 * n] : new float[2 * n];
        var xhat = scratch[..n];
        var dxhat = scratch[n..];
        for (int r = start; r < end; r++)
        {
            var x = new ReadOnlySpan<float>(j.X + (long)r * n, n);
            var g = new ReadOnlySpan<float>(j.G + (long)r * n, n);
            var dx = new Span<float>(j.Dx + (long)r * n, n);
            float rs = j.Rstd[r];
            TensorPrimitives.Subtract(x, j.Mean[r], xhat);
            TensorPrimitives.Multiply(xhat, rs, xhat);
            if (j.Gamma is null) g.CopyTo(dxhat);
            else TensorPrimitives.Multiply(g, new ReadOnlySpan<float>(j.Gamma, n), dxhat);
            // dx = rstd · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ ⊙ x̂))
            float meanD = TensorPrimitives.Sum(dxhat) / n;
            float meanDX = TensorPrimitives.Dot(dxhat, xhat) / n;
            TensorPrimitives.MultiplyAdd(xhat, -meanDX, dxhat, dx);
            TensorPrimitives.Subtract(dx, meanD, dx);
            TensorPrimitives.Multiply(dx, rs, dx);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LayerNormAffineGradColumns(void* state, int start, int end)
    {
        ref var j = ref Unsafe.AsRef<RowJob>(state);
        int n = j.N, width = end - start;
        Span<float> xhat = width <= 4096 ? stackalloc float[width] : new float[width];
        for (int r = 0; r < j.Outer; r++)
        {
            var x = new ReadOnlySpan<float>(j.X + (long)r * n + start, width);
            var g = new ReadOnlySpan<float>(j.G + (long)r * n + start, width);
            if (j.Y is not null)
            {
                TensorPrimitives.Subtract(x, j.Mean[r], xhat);
                TensorPrimitives.Multiply(xhat, j.Rstd[r], xhat);
                var dgamma = new Span<float>(j.Y + start, width);
                TensorPrimitives.FusedMultiplyAdd(xhat, g, dgamma, dgamma);
            }
            if (j.Beta is not null)
            {
                var dbeta = new Span<float>(j.Beta + start, width);
                TensorPrimitives.Add(dbeta, g, dbeta);
            }
        }
    }

    // ------------------------------------------------------------------ row gathers

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GatherRows(ReadOnlySpan<float> table, ReadOnlySpan<int> index, Span<float> y, int width)
    {
        for (int i = 0; i < index.Length; i++) table.Slice(index[i] * width, width).CopyTo(y.Slice(i * width, width));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScatterAddRows(Span<float> table, ReadOnlySpan<int> index, ReadOnlySpan<float> src, int width)
    {
        for (int i = 0; i < index.Length; i++)
        {
            var row = table.Slice(index[i] * width, width);
            TensorPrimitives.Add(row, src.Slice(i * width, width), row);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void GatherAxis(ReadOnlySpan<float> x, int outer, int n, int inner, ReadOnlySpan<int> index, int m, Span<float> y)
    {
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < m; j++)
                for (int i = 0; i < inner; i++)
                {
                    int at = (o * m + j) * inner + i;
                    y[at] = x[(o * n + index[at]) * inner + i];
                }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScatterAddAxis(Span<float> y, int outer, int n, int inner, ReadOnlySpan<int> index, int m, ReadOnlySpan<float> src)
    {
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < m; j++)
                for (int i = 0; i < inner; i++)
                {
                    int at = (o * m + j) * inner + i;
                    y[(o * n + index[at]) * inner + i] += src[at];
                }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void TopK(ReadOnlySpan<float> x, int rows, int n, int k, bool largest, Span<float> values, Span<int> indices)
    {
        // Partial selection sort per row: k is small (routing picks 1–8 of a few dozen) so this beats a full sort.
        Span<bool> taken = n <= 1024 ? stackalloc bool[n] : new bool[n];
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * n, n);
            taken.Clear();
            for (int t = 0; t < k; t++)
            {
                int best = -1;
                for (int i = 0; i < n; i++)
                {
                    if (taken[i]) continue;
                    if (best < 0 || (largest ? row[i] > row[best] : row[i] < row[best]) || (float.IsNaN(row[i]) && !float.IsNaN(row[best]))) best = i;
                }
                taken[best] = true;
                values[r * k + t] = row[best];
                indices[r * k + t] = best;
            }
        }
    }
}
