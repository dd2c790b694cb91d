using Modular.Tensors;
using Modular.Tensors.Autograd;
using Modular.Tests.Support;
using Xunit.Sdk;
using AutogradEngine = Modular.Tensors.Autograd.Autograd;

namespace Modular.Tests.Tensors;

/// <summary>The checker must reject wrong gradients, or every gradient test built on it proves nothing.</summary>
public class GradientCheckerTests
{
    /// <summary>y = x², computed by the engine but recorded with the backward under test.</summary>
    private static Tensor SquareWithBackward(Tensor x, Func<Tensor, Tensor, Tensor> backward)
    {
        Tensor y;
        using (GradMode.NoGrad()) y = x.Square();
        if (!AutogradEngine.NeedsGrad(x)) return y;
        return AutogradEngine.Record(y, "SquareUnderTest", g => AutogradEngine.Accumulate(x, backward(g, x)), x);
    }

    [Fact]
    public void Correct_backward_passes_well_inside_the_tolerance()
    {
        var result = GradientChecker.Run(x => [SquareWithBackward(x[0], (g, v) => g.Mul(v).Mul(2f))], [TestTensors.Normal(1, 3, 4)]);

        Assert.True(result.Passed, result.Report());
        Assert.True(result.Worst.Ratio < 0.1, result.Summary);
        Assert.Equal(12 + 3, result.Comparisons.Count); // every element, plus three random directions
    }

    [Fact]
    public void Backward_missing_a_factor_fails_at_every_element()
    {
        var result = GradientChecker.Run(x => [SquareWithBackward(x[0], (g, v) => g.Mul(v))], [TestTensors.AwayFromZero(2, 0.2f, 3, 4)]);

        Assert.False(result.Passed);
        Assert.All(result.Comparisons, c => Assert.False(c.Passed, c.ToString()));
    }

    [Fact]
    public void Backward_one_percent_off_fails()
    {
        var result = GradientChecker.Run(x => [SquareWithBackward(x[0], (g, v) => g.Mul(v).Mul(2.02f))], [TestTensors.AwayFromZero(3, 0.5f, 2, 3)]);

        Assert.False(result.Passed);
    }

    [Fact]
    public void Backward_that_sends_one_element_the_wrong_gradient_fails_there()
    {
        // The gradient of element [1, 2] goes to [0, 0] instead: only those two positions can disagree.
        Tensor MisroutedBackward(Tensor g, Tensor v)
        {
            var d = g.Mul(v).Mul(2f).Contiguous();
            d[0, 0] += d[1, 2];
            d[1, 2] = 0f;
            return d;
        }

        var result = GradientChecker.Run(x => [SquareWithBackward(x[0], MisroutedBackward)], [TestTensors.AwayFromZero(4, 0.5f, 2, 3)]);

        var failed = result.Comparisons.Where(c => !c.Passed && c.Where.StartsWith("input", StringComparison.Ordinal)).Select(c => c.Where);
        Assert.Equal(["input 0 [0, 0]", "input 0 [1, 2]"], failed);
    }

    [Fact]
    public void Verify_fails_the_test_and_lists_the_mismatches()
    {
        var checker = new GradientChecker();

        var error = Assert.ThrowsAny<XunitException>(() => checker.Verify(x => SquareWithBackward(x[0], (g, _) => g), TestTensors.AwayFromZero(5, 0.5f, 2)));

        Assert.Contains("Gradient check failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("input 0 [1]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_contiguous_leaves_are_perturbed_through_their_strides()
    {
        var leaf = TestTensors.TransposedLeaf(6, rows: 3, columns: 2);
        Assert.False(leaf.IsContiguous);

        var result = GradientChecker.Run(x => [x[0].Mul(x[0]).Sum(0)], [leaf]);

        Assert.True(result.Passed, result.Report());
    }

    [Fact]
    public void Expanded_leaf_is_rejected_because_its_elements_share_memory()
    {
        var leaf = TestTensors.Normal(7, 1, 3).Expand(2, 3);

        Assert.Throws<ArgumentException>(() => GradientChecker.Run(x => [x[0].Exp()], [leaf]));
    }
}
