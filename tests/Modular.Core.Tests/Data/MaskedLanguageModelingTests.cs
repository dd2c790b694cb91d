using Modular.Data;
using Modular.Tensors;

namespace Modular.Tests.Data;

public class MaskedLanguageModelingTests
{
    private const int Vocabulary = 50;

    /// <summary>64 sequences of 130 positions: [CLS], 120 ordinary tokens, [SEP], 8 [PAD].</summary>
    private static TokenBatch Batch()
    {
        var rng = new Rng(1);
        var sequences = Enumerable.Range(0, 64).Select(_ =>
        {
            var s = new int[130];
            s[0] = SpecialTokens.Classification;
            for (int t = 1; t <= 120; t++) s[t] = SpecialTokens.Count + rng.NextInt(Vocabulary - SpecialTokens.Count);
            s[121] = SpecialTokens.Separator;
            return s;
        }).ToList();
        return TokenBatch.FromSequences(sequences);
    }

    [Fact]
    public void About_fifteen_percent_are_chosen_and_split_eighty_ten_ten()
    {
        var original = Batch();
        var masked = MaskedLanguageModeling.Mask(original, Vocabulary, new Rng(42));
        var before = original.TokenIds.ToArray();
        var after = masked.TokenIds.ToArray();
        var labels = masked.Labels!.ToArray();

        int ordinary = 64 * 120, chosen = 0, toMask = 0, unchanged = 0, toRandom = 0;
        for (int i = 0; i < before.Length; i++)
        {
            if (labels[i] == MaskedLanguageModeling.IgnoreLabel)
            {
                Assert.Equal(before[i], after[i]); // positions not chosen are untouched
                continue;
            }
            chosen++;
            Assert.Equal(before[i], labels[i]); // the label is the original token
            if (after[i] == SpecialTokens.Mask) toMask++;
            else if (after[i] == before[i]) unchanged++;
            else toRandom++;
        }
        // Binomial(7680, 0.15): mean 1152, sd 31. Of the chosen: 80% / 10% / 10% (sd about 1%).
        Assert.InRange(chosen, 1152 - 125, 1152 + 125);
        Assert.InRange(toMask / (double)chosen, 0.76, 0.84);
        // A random replacement can draw the original token (1 in 45), so "unchanged" is slightly above 10%.
        Assert.InRange(unchanged / (double)chosen, 0.07, 0.135);
        Assert.InRange(toRandom / (double)chosen, 0.065, 0.13);
        Assert.True(chosen < ordinary);
    }

    [Fact]
    public void Special_tokens_are_never_chosen_and_random_tokens_are_ordinary()
    {
        var original = Batch();
        var masked = MaskedLanguageModeling.Mask(original, Vocabulary, new Rng(7), probability: 1f);
        var before = original.TokenIds.ToArray();
        var after = masked.TokenIds.ToArray();
        var labels = masked.Labels!.ToArray();
        for (int i = 0; i < before.Length; i++)
        {
            Assert.Equal(SpecialTokens.IsSpecial(before[i]), labels[i] == MaskedLanguageModeling.IgnoreLabel);
            if (after[i] != SpecialTokens.Mask) Assert.InRange(after[i], SpecialTokens.IsSpecial(before[i]) ? 0 : SpecialTokens.Count, Vocabulary - 1);
        }
        Assert.Equal(original.AttentionMask.ToArray(), masked.AttentionMask.ToArray());
    }

    [Fact]
    public void Same_seed_gives_the_same_corruption()
    {
        var batch = Batch();
        var a = MaskedLanguageModeling.Mask(batch, Vocabulary, new Rng(3));
        var b = MaskedLanguageModeling.Mask(batch, Vocabulary, new Rng(3));
        var c = MaskedLanguageModeling.Mask(batch, Vocabulary, new Rng(4));
        Assert.Equal(a.TokenIds.ToArray(), b.TokenIds.ToArray());
        Assert.Equal(a.Labels!.ToArray(), b.Labels!.ToArray());
        Assert.NotEqual(a.Labels!.ToArray(), c.Labels!.ToArray());
        Assert.NotEqual(batch.TokenIds.ToArray(), a.TokenIds.ToArray()); // the input batch is not modified in place ...
        Assert.Equal(Batch().TokenIds.ToArray(), batch.TokenIds.ToArray()); // ... and stays as it was
    }

    [Theory]
    [InlineData(0f, Vocabulary)]
    [InlineData(1.5f, Vocabulary)]
    [InlineData(0.15f, SpecialTokens.Count)]
    public void Invalid_settings_are_rejected(float probability, int vocabulary) =>
        Assert.Throws<ConfigurationException>(() => MaskedLanguageModeling.Mask(Batch(), vocabulary, new Rng(1), probability));
}
