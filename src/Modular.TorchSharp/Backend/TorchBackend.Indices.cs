using Modular.Tensors;
using static TorchSharp.torch;
using Tensor = Modular.Tensors.Tensor;

namespace Modular.TorchSharp.Backend;

// Gathers, scatters and top-k: index_select / index_add_ along the middle axis of [outer, n, inner], gather /
// scatter_add_ with an index per element, and a stable sort for top-k.
internal sealed partial class TorchBackend
{
    public override void GatherRows(Tensor x, int outer, int n, int inner, IntTensor index, Tensor y)
    {
        using var scope = Kernel();
        Write(y, View(x, outer, n, inner).index_select(1, Indices(index, index.Count)));
    }

    public override void ScatterAddRows(Tensor dst, int outer, int n, int inner, IntTensor index, Tensor src)
    {
        using var scope = Kernel();
        int m = index.Count;
        View(dst, outer, n, inner).index_add_(1, Indices(index, m), View(src, outer, m, inner), Fixed.One);
    }

    public override void GatherAxis(Tensor x, int outer, int n, int inner, IntTensor index, int m, Tensor y)
    {
        using var scope = Kernel();
        Write(y, View(x, outer, n, inner).gather(1, Indices(index, outer, m, inner)));
    }

    public override void ScatterAddAxis(Tensor dst, int outer, int n, int inner, IntTensor index, int m, Tensor src)
    {
        using var scope = Kernel();
        View(dst, outer, n, inner).scatter_add_(1, Indices(index, outer, m, inner), View(src, outer, m, inner));
    }

    public override void TopK(Tensor x, int rows, int n, int k, bool largest, Tensor values, IntTensor indices)
    {
        using var scope = Kernel();
        // A stable sort keeps the first index first among equal values, as the CPU engine does (libtorch's topk leaves
        // the order of ties unspecified, and equal router scores are common: a zero-initialised router ties everywhere).
        var (sorted, order) = View(x, rows, n).sort(1, descending: largest, stable: true);
        Write(values, sorted.narrow(1, 0, k));
        Adopt(indices, order.narrow(1, 0, k));
    }
}
