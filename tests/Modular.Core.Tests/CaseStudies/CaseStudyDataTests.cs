using Modular.CaseStudies;
using Modular.Data;

namespace Modular.Tests.CaseStudies;

/// <summary>The texts the case studies train on, read from the shipped data.</summary>
public class CaseStudyDataTests
{
    private static readonly UdhrCorpus Udhr = UdhrCorpus.Load();
    private static readonly GettextCorpus Gettext = GettextCorpus.Load();

    [Fact]
    public void Pretraining_texts_without_some_languages_leave_out_exactly_their_declaration_and_messages()
    {
        string[] without = ["pl", "ja"];
        var all = PretrainedBase.PretrainingTexts(Udhr, Gettext);
        var reduced = PretrainedBase.PretrainingTexts(Udhr, Gettext, without: without);
        var split = DatasetSplit.Create(Gettext.Messages, 1);
        var theirs = without.SelectMany(l => Udhr[l].Paragraphs.Select(p => p.Text).Concat(split.Train.Select(m => m.Texts[l]))).ToList();

        Assert.Equal(all.Count - theirs.Count, reduced.Count);
        Assert.True(theirs.Count > 1000, $"only {theirs.Count} texts of the left-out languages: the test would prove little");
        var kept = reduced.ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(Udhr["ja"].Paragraphs[0].Text, kept);
        Assert.Contains(Udhr["de"].Paragraphs[0].Text, kept);
    }

    [Fact]
    public void A_language_adapters_text_is_its_declaration_then_its_first_training_messages()
    {
        var split = DatasetSplit.Create(Gettext.Messages, 1);
        var texts = MadX.LanguageTexts(Udhr, split.Train, "de", messages: 5).ToList();
        int paragraphs = Udhr["de"].Paragraphs.Count;

        Assert.Equal(paragraphs + 5, texts.Count);
        Assert.Equal(Udhr["de"].Paragraphs[0].Text, texts[0]);
        Assert.Equal(split.Train.Take(5).Select(m => m.Texts["de"]), texts.Skip(paragraphs));
    }
}
