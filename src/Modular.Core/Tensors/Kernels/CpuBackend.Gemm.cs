namespace Modular.Tensors.Kernels;

internal sealed partial class CpuBackend
{
    public static void Gemm(int m, int n, int k, float alpha, ReadOnlySpan<float> a, int rsA, int csA, ReadOnlySpan<float> b, int rsB, int csB, float beta, Span<float> c, int ldc,
        ReadOnlySpan<float> bias = default) =>
        Kernels.Gemm.Multiply(m, n, k, alpha, a, rsA, csA, b, rsB, csB, beta, c, ldc, bias);
}
