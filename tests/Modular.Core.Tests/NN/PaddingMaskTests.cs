using Modular.NN;
using Modular.Tensors;
using Modular.Tests.Modular;

namespace Modular.Tests.NN;

/// <summary>A padding mask that is not 0/1 with a token in every row is refused by the forward pass that receives it, instead of turning into NaN.</summary>
public class PaddingMaskTests
{
    [Theory]
    [InlineData(float.NaN, 1, 2, "entry [1, 2] is NaN; a padding mask holds exactly 1 for a token and 0 for padding")]
    [InlineData(2f, 0, 0, "entry [0, 0] is 2; a padding mask holds exactly 1 for a token and 0 for padding")]
    [InlineData(0.5f, 3, 5, "entry [3, 5] is 0.5;")]
    public void A_mask_entry_other_than_0_or_1_is_refused_naming_the_entry(float value, int row, int column, string expected)
    {
        var (ids, mask, _, _) = Tiny.Data();
        var values = mask.ToArray();
        values[row * Tiny.Length + column] = value;
        var model = Tiny.Classifier();

        var error = Assert.Throws<ConfigurationException>(() => model.Forward(ids, Tensor.FromArray(values, Tiny.Batch, Tiny.Length)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("Padding mask tensor [8, 6]: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_all_zero_row_is_refused_at_the_modular_model_and_the_base_alike()
    {
        var (ids, mask, _, _) = Tiny.Data();
        var values = mask.ToArray();
        Array.Clear(values, 2 * Tiny.Length, Tiny.Length);
        var empty = Tensor.FromArray(values, Tiny.Batch, Tiny.Length);

        var modular = Assert.Throws<ConfigurationException>(() => Tiny.Classifier().WithModules().Forward(ids, empty));
        var plain = Assert.Throws<ConfigurationException>(() => Tiny.Classifier().Forward(ids, empty));

        Assert.Contains("row 2 is all zeros, so example 2 has no token to attend to or pool over", modular.Message, StringComparison.Ordinal);
        Assert.Equal(modular.Message, plain.Message);
    }

    [Fact]
    public void A_valid_mask_passes_and_gives_finite_outputs()
    {
        var (ids, mask, _, _) = Tiny.Data();

        var output = Tiny.Outputs(Tiny.Classifier().WithModules(), ids, mask);

        Assert.All(output, v => Assert.True(float.IsFinite(v)));
    }
}
