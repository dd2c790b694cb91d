using Modular.NN;
using Modular.Tensors;

namespace Modular.Tests.NN;

/// <summary>The per-forward context: padding mask and per-example metadata, nested scopes.</summary>
public sealed class ForwardContextTests
{
    [Fact]
    public void Contexts_nest_inheriting_the_mask_and_merging_metadata()
    {
        var mask = Tensor.Ones(2, 4);
        Assert.Null(ForwardContext.Current);
        using (var outer = ForwardContext.Begin(mask, new Dictionary<string, int[]> { ["task"] = [0, 1] }))
        {
            using (var inner = ForwardContext.Begin(metadata: new Dictionary<string, int[]> { ["language"] = [3, 3], ["task"] = [2, 2] }))
            {
                Assert.Same(inner, ForwardContext.Current);
                Assert.Same(mask, inner.PaddingMask);
                Assert.Equal([2, 2], inner.Ids("task"));
                Assert.Equal([3, 3], inner.Ids("language"));
            }
            Assert.Same(outer, ForwardContext.Current);
            Assert.Equal([0, 1], outer.Ids("task"));
            Assert.False(outer.Metadata.ContainsKey("language"));
        }
        Assert.Null(ForwardContext.Current);
    }

    [Fact]
    public void Missing_ids_name_the_key_and_the_keys_present()
    {
        using var context = ForwardContext.Begin(metadata: new Dictionary<string, int[]> { ["task"] = [0], ["language"] = [1] });
        var e = Assert.Throws<ConfigurationException>(() => context.Ids("domain"));
        Assert.Contains("'domain'", e.Message, StringComparison.Ordinal);
        Assert.Contains("task, language", e.Message, StringComparison.Ordinal);

        using var empty = ForwardContext.Begin();
        Assert.Contains("(it has: task, language)", Assert.Throws<ConfigurationException>(() => empty.Ids("domain")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Disposing_out_of_order_is_refused_and_the_stack_stays_intact()
    {
        var outer = ForwardContext.Begin();
        var inner = ForwardContext.Begin();
        Assert.Throws<InvalidOperationException>(outer.Dispose);
        Assert.Same(inner, ForwardContext.Current);
        inner.Dispose();
        outer.Dispose();
        outer.Dispose(); // idempotent
        Assert.Null(ForwardContext.Current);
    }

    [Fact]
    public void The_classifier_opens_a_context_for_its_mask_and_closes_it()
    {
        var model = TransformerClassifier.Create(vocab: 20, dModel: 8, layers: 1, heads: 2, ff: 16, classes: 3, maxLength: 6);
        var ids = IntTensor.FromArray(new[] { 1, 2, 3, 0, 0, 0 }, 1, 6);
        using var mask = Tensor.FromArray(new[] { 1f, 1f, 1f, 0f, 0f, 0f }, 1, 6);
        var masked = model.Forward(ids, mask).ToArray();
        Assert.Null(ForwardContext.Current);

        // Padding is invisible: the first three tokens alone give the same logits.
        var alone = model.Forward(IntTensor.FromArray(new[] { 1, 2, 3 }, 1, 3)).ToArray();
        Assert.Equal(alone, masked, (a, b) => Math.Abs(a - b) < 1e-5f);
        Assert.NotEqual(alone, model.Forward(ids).ToArray());
    }
}
