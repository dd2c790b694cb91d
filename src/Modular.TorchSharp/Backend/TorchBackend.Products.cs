using static TorchSharp.torch;
using TorchTensor = TorchSharp.torch.Tensor;
using Tensor = Modular.Tensors.Tensor;

namespace Modular.TorchSharp.Backend;

// Matrix products: libtorch's matmul takes transposed and broadcast views as they are; linear is one addmm.
internal sealed partial class TorchBackend
{
    public override void MatMul(Tensor a, Tensor b, Tensor y, bool accumulate)
    {
        using var scope = Kernel();
        TorchTensor va = View(a), vb = View(b);
        if (!accumulate) Write(y, va.matmul(vb));
        else if (y.Rank == 2) View(y).addmm_(va, vb);
        else View(y).add_(va.matmul(vb), Fixed.One);
    }

    public override void Linear(Tensor x, Tensor weight, Tensor? bias, Tensor y)
    {
        using var scope = Kernel();
        int inFeatures = weight.ShapeArray[1];
        int rows = inFeatures == 0 ? 0 : x.Count / inFeatures;
        Write(y, nn.functional.linear(View(x, rows, inFeatures), View(weight), bias is null ? null : View(bias)));
    }
}
