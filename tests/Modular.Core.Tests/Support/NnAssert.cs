using Modular.Tensors;
using Xunit.Sdk;

namespace Modular.Tests.Support;

/// <summary>Element-wise comparison of a result with its PyTorch reference.</summary>
internal static class NnAssert
{
    /// <summary>
    /// Passes when every element satisfies |actual − expected| ≤ max(<paramref name="relative"/>·|expected|, <paramref name="absolute"/>):
    /// relative agreement, with an absolute floor for values near zero, whose float32 rounding is set by the size
    /// of the terms summed into them rather than by their own size. Returns the worst deviation for reports.
    /// </summary>
    public static Deviation Close(Tensor? actual, Tensor expected, double relative, double absolute, string what)
    {
        ArgumentNullException.ThrowIfNull(expected);
        if (actual is null) throw new XunitException($"{what}: no value (a gradient that was never computed?); expected {expected.Shape}.");
        if (!actual.Shape.Equals(expected.Shape)) throw new XunitException($"{what}: shape {actual.Shape}, expected {expected.Shape}.");
        var a = actual.ToArray();
        var e = expected.ToArray();
        var worst = new Deviation(0, 0);
        for (int i = 0; i < e.Length; i++)
        {
            double error = Math.Abs((double)a[i] - e[i]);
            if (!(error <= Math.Max(relative * Math.Abs(e[i]), absolute))) // NaN fails too
                throw new XunitException($"{what}: element {i} of {expected.Shape} is {a[i]:G9}, expected {e[i]:G9} (|error| {error:G3}; tolerance {relative:G2} relative, {absolute:G2} absolute).");
            worst = new Deviation(Math.Max(worst.Absolute, error), relative * Math.Abs(e[i]) > absolute ? Math.Max(worst.Relative, error / Math.Abs(e[i])) : worst.Relative);
        }
        return worst;
    }

    /// <summary>The largest absolute error, and the largest relative error among elements above the absolute floor.</summary>
    public readonly record struct Deviation(double Absolute, double Relative)
    {
        /// <summary>The element-wise maximum of two deviations.</summary>
        public Deviation Max(Deviation other) => new(Math.Max(Absolute, other.Absolute), Math.Max(Relative, other.Relative));

        /// <inheritdoc/>
        public override string ToString() => $"max |error| {Absolute:G2}, max relative error {Relative:G2}";
    }
}
