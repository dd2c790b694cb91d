using Modular.Tensors;
using Modular.Tensors.Autograd;

namespace Modular.Tests.Tensors;

/// <summary>What Backward promises: accumulation, shared inputs, no-grad, detach, a freed graph, errors, scopes.</summary>
public class AutogradTests
{
    private static Tensor Leaf(params float[] values)
    {
        var t = Tensor.FromArray(values);
        t.RequiresGrad = true;
        return t;
    }

    [Fact]
    public void Two_backward_passes_add_their_gradients()
    {
        var x = Leaf(1f, 2f);

        x.Mul(3f).Sum().Backward();
        x.Square().Sum().Backward();

        Assert.Equal(new[] { 3f + 2f, 3f + 4f }, x.Grad!.ToArray());
    }

    [Fact]
    public void Zero_grad_starts_over()
    {
        var x = Leaf(1f, 2f);
        x.Mul(3f).Sum().Backward();

        x.ZeroGrad();
        x.Sum().Backward();

        Assert.Equal(new[] { 1f, 1f }, x.Grad!.ToArray());
    }

    [Fact]
    public void A_tensor_used_twice_collects_both_gradients()
    {
        var x = Leaf(2f, -3f);
        var h = x.Exp();

        // d/dx (x·x + h + h·x) = 2x + eˣ + eˣ·x + eˣ
        x.Mul(x).Add(h).Add(h.Mul(x)).Sum().Backward();

        for (int i = 0; i < 2; i++)
        {
            double v = x[i], e = Math.Exp(v);
            Assert.Equal(2 * v + e + e * v + e, x.Grad![i], 4);
        }
    }

    [Fact]
    public void No_grad_scope_records_nothing()
    {
        var x = Leaf(1f, 2f);

        Tensor y;
        using (GradMode.NoGrad()) y = x.Exp().Sum();

        Assert.False(y.RequiresGrad);
        Assert.True(y.IsLeaf);
        Assert.Throws<AutogradException>(() => y.Backward());
        Assert.True(GradMode.IsEnabled);
    }

    [Fact]
    public void Detach_stops_the_gradient_and_shares_memory()
    {
        var x = Leaf(2f, 5f);
        var constant = x.Detach();

        x.Mul(constant).Sum().Backward(); // d/dx (x · c) with c = x held constant is c, not 2x

        Assert.Equal(new[] { 2f, 5f }, x.Grad!.ToArray());
        Assert.False(constant.RequiresGrad);
        x[0] = 7f;
        Assert.Equal(7f, constant[0]);
    }

    [Fact]
    public void Backward_through_a_freed_graph_throws()
    {
        var x = Leaf(1f, 2f);
        var loss = x.Exp().Sum();
        loss.Backward();

        var error = Assert.Throws<AutogradException>(() => loss.Backward());
        Assert.Contains("already freed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Backward_through_a_shared_part_another_backward_freed_throws()
    {
        var x = Leaf(1f, 2f);
        var shared = x.Exp();
        var first = shared.Sum();
        var second = shared.Mul(2f).Sum();
        first.Backward();

        var error = Assert.Throws<AutogradException>(() => second.Backward());
        Assert.Contains("Exp", error.Message, StringComparison.Ordinal);
        Assert.Contains("already freed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_losses_sharing_a_graph_are_added_and_backpropagated_once()
    {
        var x = Leaf(1f, 2f);
        var shared = x.Exp();

        shared.Sum().Add(shared.Mul(2f).Sum()).Backward();

        for (int i = 0; i < 2; i++) Assert.Equal(3 * Math.Exp(x[i]), x.Grad![i], 4);
    }

    [Fact]
    public void A_failed_backward_leaves_no_gradient_behind_for_the_next_one()
    {
        var x = Leaf(1f, 2f);
        var square = x.Square();
        var e = x.Exp();
        var broken = e.Sum().Add(square.Mul(3f).Sum());
        e.Dispose(); // the pass fails at `e`, after the gradient 3 reached `square`
        Assert.Throws<AutogradException>(() => broken.Backward());

        square.Sum().Backward();

        Assert.Equal(new[] { 2f, 4f }, x.Grad!.ToArray()); // 2x, with nothing left over from the failed pass
    }

    [Fact]
    public void Backward_on_a_non_scalar_without_a_gradient_throws()
    {
        var y = Leaf(1f, 2f, 3f).Exp();

        var error = Assert.Throws<AutogradException>(() => y.Backward());
        Assert.Contains("[3]", error.Message, StringComparison.Ordinal);
        Assert.Contains("3 elements", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Backward_with_a_gradient_of_the_wrong_shape_throws()
    {
        var y = Leaf(1f, 2f, 3f).Exp();

        var error = Assert.Throws<ShapeMismatchException>(() => y.Backward(Tensor.Ones(2)));
        Assert.Contains("[2]", error.Message, StringComparison.Ordinal);
        Assert.Contains("[3]", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1f)]
    [InlineData(0f)]
    public void Non_finite_loss_throws(float input)
    {
        var loss = Leaf(input).Log().Sum(); // log(−1) = NaN, log(0) = −∞

        var error = Assert.Throws<NonFiniteValueException>(() => loss.Backward());
        Assert.Contains(input < 0 ? "NaN" : "Infinity", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scope_disposes_intermediates_and_keep_rescues_one()
    {
        var x = Leaf(1f, 2f);
        Tensor kept, dropped;

        using (var scope = TensorScope.Begin())
        {
            dropped = x.Exp();
            kept = scope.Keep(x.Square());
        }

        Assert.True(dropped.IsDisposed);
        Assert.False(kept.IsDisposed);
        Assert.Equal(new[] { 1f, 4f }, kept.ToArray());
        Assert.False(x.IsDisposed); // created outside the scope
    }

    [Fact]
    public void Keep_in_a_nested_scope_hands_the_tensor_to_the_outer_scope()
    {
        Tensor kept;
        using (var outer = TensorScope.Begin())
        {
            using (var inner = TensorScope.Begin()) kept = inner.Keep(Tensor.Ones(2));
            Assert.False(kept.IsDisposed);
        }

        Assert.True(kept.IsDisposed);
    }

    [Fact]
    public void A_whole_training_step_in_a_scope_keeps_the_leaf_gradients()
    {
        var w = Leaf(0.5f, -1f);

        using (TensorScope.Begin()) w.Mul(w).Mul(3f).Sum().Backward();

        Assert.Equal(new[] { 3f, -6f }, w.Grad!.ToArray());
        Assert.False(w.Grad.IsDisposed);
    }

    [Fact]
    public void Backward_through_a_disposed_intermediate_fails_instead_of_stopping_silently()
    {
        var x = Leaf(1f, 2f);
        var doubled = x.Mul(2f);
        var loss = doubled.Sum();

        doubled.Dispose();

        var error = Assert.Throws<AutogradException>(() => loss.Backward());
        Assert.Contains("tensor [2] was disposed while the graph still needed it", error.Message, StringComparison.Ordinal);
        Assert.Null(x.Grad);
    }

    [Fact]
    public void Only_leaves_can_stop_requiring_gradients()
    {
        var y = Leaf(1f).Exp();

        Assert.Throws<AutogradException>(() => y.RequiresGrad = false);
    }

    // A node hands its incoming gradient on to the first input that takes it whole (residual additions, reshapes,
    // clones); these cases would double-count, lose or overwrite a gradient if that hand-on shared memory wrongly.

    [Fact]
    public void A_tensor_added_to_itself_gets_twice_the_gradient()
    {
        var x = Leaf(1f, -2f, 3f);
        var w = Tensor.FromArray([0.5f, 2f, -1f]);

        x.Add(x).Mul(w).Sum().Backward();

        Assert.Equal(new[] { 1f, 4f, -2f }, x.Grad!.ToArray());
    }

    [Fact]
    public void A_tensor_minus_itself_gets_no_gradient()
    {
        var x = Leaf(1f, -2f);
        var w = Tensor.FromArray([0.5f, 2f]);

        x.Sub(x).Mul(w).Add(x.Mul(w)).Sum().Backward();

        Assert.Equal(new[] { 0.5f, 2f }, x.Grad!.ToArray());
    }

    [Fact]
    public void A_residual_chain_with_reshapes_hands_each_branch_its_own_gradient()
    {
        // y = r + exp(r) with r = reshape(x + 2x) feeds two branches from one gradient: dy/dx = 3·(1 + e^{3x})
        var x = Leaf(0.1f, -0.2f, 0.3f, 0.05f);
        var w = Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2);
        var r = x.Add(x.Mul(2f)).Reshape(2, 2);

        r.Add(r.Exp()).Clone().Mul(w).Sum().Backward();

        for (int i = 0; i < 4; i++) Assert.Equal(3.0 * (i + 1) * (1 + Math.Exp(3.0 * x[i])), x.Grad![i], 4);
    }

    [Fact]
    public void An_index_add_into_its_own_source_sums_both_paths()
    {
        // y = x + P·x (rows 1, 0 added into rows 0, 1): dL/dx_i = w_i + w_{p(i)}
        var x = Leaf(1f, 2f);
        var w = Tensor.FromArray([3f, 5f]);

        x.Exp().Log().IndexAdd(0, IntTensor.FromArray([1, 0]), x).Mul(w).Sum().Backward();

        Assert.Equal(new[] { 3f + 5f, 5f + 3f }, x.Grad!.ToArray());
    }

    [Fact]
    public void A_gradient_shared_by_two_branches_is_copied_on_write_when_one_of_them_gets_more()
    {
        // p = a + b hands one gradient to both a = 2x and b = 3x; q = exp(a), made before p, adds to a's gradient after
        // p's node ran, which must leave b's share as it was: dL/dx = 2·w₁ + 2·w₂·e^{2x} + 3·w₁
        var x = Leaf(0.1f, -0.3f);
        var w1 = Tensor.FromArray([1.5f, -2f]);
        var w2 = Tensor.FromArray([0.5f, 4f]);
        var a = x.Mul(2f);
        var b = x.Mul(3f);
        var q = a.Exp();
        var p = a.Add(b);

        p.Mul(w1).Sum().Add(q.Mul(w2).Sum()).Backward();

        for (int i = 0; i < 2; i++) Assert.Equal(5.0 * w1[i] + 2.0 * w2[i] * Math.Exp(2.0 * x[i]), x.Grad![i], 4);
    }

    [Fact]
    public void Two_leaves_given_one_gradient_get_memory_of_their_own()
    {
        // The addition hands its gradient to w1 and shares it with the clone, whose node hands it on to w2: w2 must get
        // a copy, or clearing w1's gradient in place (as clipping or zeroing does) would clear w2's too.
        var w1 = Leaf(1f, 2f);
        var w2 = Leaf(3f, 4f);
        var c = Tensor.FromArray([5f, 7f]);

        w1.Add(w2.Clone()).Mul(c).Sum().Backward();
        w1.Grad!.CopyFrom(Tensor.FromArray([0f, 0f]));

        Assert.Equal(new[] { 5f, 7f }, w2.Grad!.ToArray());
    }

    [Fact]
    public void A_second_backward_adds_into_the_gradient_a_user_holds_a_view_of()
    {
        // As in PyTorch, .Grad stays the same tensor across passes and the addition goes into its memory, so a view the
        // user took of it sees the sum (and the object the user holds is not disposed under them).
        var w = Leaf(1f, 2f);
        var c = Tensor.FromArray([3f, 5f]);
        w.Mul(c).Sum().Backward();
        var grad = w.Grad!;
        var view = grad.Detach();

        w.Mul(c).Sum().Backward();

        Assert.Same(grad, w.Grad);
        Assert.Equal(new[] { 6f, 10f }, grad.ToArray());
        Assert.Equal(new[] { 6f, 10f }, view.ToArray());
    }

    [Fact]
    public void A_gradient_a_leaf_took_is_copied_for_the_inner_inputs_after_it()
    {
        // The addition hands its gradient to the leaf w first; the inner tensor e = exp(x) then gets the same values,
        // which must be a copy: w's second gradient (from w·c, added in place into w's memory) must not reach e's.
        // dL/dw = 1 + c, dL/dx = e^x (through e only).
        var w = Leaf(0.5f, -1f);
        var x = Leaf(0.2f, 0.7f);
        var c = Tensor.FromArray([2f, 3f]);
        var e = x.Exp(); // made first, so its node runs last: after w·c's has added into w's gradient
        var wc = w.Mul(c);

        w.Add(e).Sum().Add(wc.Sum()).Backward();

        Assert.Equal(new[] { 3f, 4f }, w.Grad!.ToArray());
        for (int i = 0; i < 2; i++) Assert.Equal(Math.Exp(x[i]), x.Grad![i], 5);
    }

    [Fact]
    public void A_backward_pass_inside_a_node_s_backward_is_refused()
    {
        var x = Leaf(1f, 2f);
        var inner = x.Mul(2f).Sum();
        var t = Tensor.FromArray([0f, 0f]);
        Autograd.Record(t, "Custom", g => inner.Backward(), x);

        var error = Assert.Throws<AutogradException>(() => t.Sum().Backward());

        Assert.Contains("inside another Backward()", error.Message, StringComparison.Ordinal);
        x.ZeroGrad();
        x.Mul(3f).Sum().Backward(); // the engine is usable again afterwards
        Assert.Equal(new[] { 3f, 3f }, x.Grad!.ToArray());
    }
}
