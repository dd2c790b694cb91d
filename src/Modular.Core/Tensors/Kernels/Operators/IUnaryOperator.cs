using System.Runtime.Intrinsics;

namespace Modular.Tensors.Kernels.Operators;

/// <summary>An element-wise function y = f(x) in scalar and SIMD forms; the kernels specialise on the struct.</summary>
internal interface IUnaryOperator
{
    float Invoke(float x);

    Vector256<float> Invoke(Vector256<float> x);

    Vector512<float> Invoke(Vector512<float> x);
}

/// <summary>An element-wise function y = f(a, b) in scalar and SIMD forms.</summary>
internal interface IBinaryOperator
{
    float Invoke(float a, float b);

    Vector256<float> Invoke(Vector256<float> a, Vector256<float> b);

    Vector512<float> Invoke(Vector512<float> a, Vector512<float> b);
}
