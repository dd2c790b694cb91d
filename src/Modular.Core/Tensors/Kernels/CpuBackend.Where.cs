using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Modular.Tensors.Kernels.Operators;

namespace Modular.Tensors.Kernels;

internal sealed partial class CpuBackend
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Where(Tensor condition, Tensor a, Tensor b, Tensor y)
    {
        // Selecting (never multiplying by a 0/1 mask) keeps ±∞ in one branch — e.g. a −∞ attention mask — from
        // turning into NaN: y ← (c = 0 ? b : 0) + (c ≠ 0 ? a : 0), each half exact.
        using var fromA = Tensor.Empty(y.ShapeArray.ToArray(), scoped: false);
        Map(new KeepWhereOperator(whereNonZero: true), a, condition, fromA);
        Map(new KeepWhereOperator(whereNonZero: false), b, condition, y);
        Map(new AddOperator(), y, fromA, y);
    }

    /// <summary>value where the mask is non-zero (or zero), else exactly 0.</summary>
    private readonly struct KeepWhereOperator(bool whereNonZero) : IBinaryOperator
    {
        public float Invoke(float value, float mask) => (mask != 0f) == whereNonZero ? value : 0f;

        public Vector256<float> Invoke(Vector256<float> value, Vector256<float> mask)
        {
            var isZero = Vector256.Equals(mask, Vector256<float>.Zero);
            return whereNonZero ? Vector256.ConditionalSelect(isZero, Vector256<float>.Zero, value) : Vector256.ConditionalSelect(isZero, value, Vector256<float>.Zero);
        }

        public Vector512<float> Invoke(Vector512<float> value, Vector512<float> mask)
        {
            var isZero = Vector512.Equals(mask, Vector512<float>.Zero);
            return whereNonZero ? Vector512.ConditionalSelect(isZero, Vector512<float>.Zero, value) : Vector512.ConditionalSelect(isZero, value, Vector512<float>.Zero);
        }
    }
}
