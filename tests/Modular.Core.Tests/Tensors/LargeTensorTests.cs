using Modular.Tensors;
using Modular.Tests.Support;
using Xunit.Abstractions;

namespace Modular.Tests.Tensors;

/// <summary>
/// Tensors large enough (≥ 65 536 elements, or thousands of rows) that the kernels split their work across threads:
/// forward values against plain loops, gradients against finite differences at sampled elements and directions.
/// </summary>
public class LargeTensorTests(ITestOutputHelper output)
{
    private readonly GradientChecker gradients = new(output);

    [Fact]
    public void Broadcast_arithmetic_on_a_strided_view_matches_plain_loops()
    {
        var a = TestTensors.Normal(1, 240, 300); // viewed transposed: [300, 240]
        var b = TestTensors.Normal(2, 240);

        var y = a.T.Mul(b).Add(a.T).ToArray();

        var av = a.ToArray();
        var bv = b.ToArray();
        for (int i = 0; i < 300; i++)
            for (int j = 0; j < 240; j++)
                Assert.Equal(av[j * 300 + i] * bv[j] + av[j * 300 + i], y[i * 240 + j], 1e-5);
    }

    [Fact]
    public void Row_kernels_match_plain_loops()
    {
        var x = TestTensors.Normal(3, 3000, 24);
        var rows = x.ToArray();

        var softmax = x.Softmax(-1).ToArray();
        var sums = x.Sum(0).ToArray();

        for (int r = 0; r < 3000; r += 7)
        {
            var row = rows.AsSpan(r * 24, 24).ToArray();
            double max = row.Max(), total = row.Sum(v => Math.Exp(v - max));
            for (int j = 0; j < 24; j++) Assert.Equal(Math.Exp(row[j] - max) / total, softmax[r * 24 + j], 1e-6);
        }
        for (int j = 0; j < 24; j++) Assert.Equal(Enumerable.Range(0, 3000).Sum(r => (double)rows[r * 24 + j]), sums[j], 2e-3); // float32 running sum of 3000 terms
    }

    [Fact]
    public void Broadcast_gradient_reduced_over_many_rows() =>
        gradients.Verify(x => x[0].T.Mul(x[1]), TestTensors.Normal(4, 240, 300), TestTensors.Normal(5, 240));

    [Fact]
    public void Gelu_gradient() => gradients.Verify(x => x[0].Gelu(), TestTensors.Normal(6, 300, 240));

    [Fact]
    public void Softmax_gradient_over_thousands_of_rows() => gradients.Verify(x => x[0].LogSoftmax(-1), TestTensors.Normal(7, 3000, 24));

    [Fact]
    public void Layer_norm_gradient_split_over_rows_and_columns() =>
        gradients.Verify(x => x[0].LayerNorm(x[1], x[2]), TestTensors.Normal(8, 600, 128), TestTensors.Normal(9, 128), TestTensors.Normal(10, 128));

    [Fact]
    public void Matmul_gradient() => gradients.Verify(x => x[0].MatMul(x[1]), TestTensors.Normal(11, 64, 128), TestTensors.Normal(12, 128, 64));
}
