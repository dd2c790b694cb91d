using Modular.Data;

namespace Modular.Tests.Data;

public class SnowballStemsTests
{
    private static readonly SnowballStems Shipped = SnowballStems.Load();

    [Fact]
    public void Shipped_sample_has_1500_pairs_in_each_of_20_languages()
    {
        Assert.Equal(20, Shipped.Tasks.Count);
        Assert.All(Shipped.Tasks, t => Assert.Equal(1500, t.Pairs.Count));
        Assert.Equal(15, Shipped.Tasks.Count(t => t.License == "BSD-3-Clause"));
        Assert.Equal(["ca", "fr", "hi", "hy", "lt"], Shipped.Tasks.Where(t => t.License == "CC-BY-SA-3.0").Select(t => t.Tag).Order(StringComparer.Ordinal));
        Assert.Equal(["Armn", "Cyrl", "Deva", "Latn"], Shipped.Tasks.Select(t => t.Script).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Known_english_pairs_and_their_cut_lengths()
    {
        var english = Shipped["en"].Pairs.ToDictionary(p => p.Word);
        Assert.Equal(("abat", 2), (english["abated"].Stem, english["abated"].CutLength));
        Assert.Equal(("abbey", 0), (english["abbey"].Stem, english["abbey"].CutLength));
    }

    [Fact]
    public void Cut_length_counts_code_points_so_devanagari_vowel_signs_count_once()
    {
        var pair = Assert.Single(Shipped["hi"].Pairs, p => p.Word == "अंगरेज़ी");
        Assert.Equal("अंगरेज़", pair.Stem);
        Assert.Equal(1, pair.CutLength);
        Assert.Equal(3, new StemPair("𝒜bc𝒜𝒜𝒜", "𝒜bc").CutLength); // surrogate pairs are one character each
    }

    [Fact]
    public void Examples_cap_the_label_so_the_top_class_means_that_many_or_more()
    {
        var task = Shipped["tr"];
        var capped = task.Examples(maxCut: 2);
        Assert.Equal([0, 1, 2], capped.Select(e => e.Label).Distinct().Order());
        Assert.Equal(task.Pairs.Count(p => p.CutLength >= 2), capped.Count(e => e.Label == 2));

        var defaults = task.Examples();
        Assert.Equal(SnowballStems.DefaultMaxCut, defaults.Max(e => e.Label));
        Assert.Equal([453, 172, 219, 213, 196, 247], defaults.GroupBy(e => e.Label).OrderBy(g => g.Key).Select(g => g.Count()));
    }

    [Fact]
    public void A_stem_that_is_not_a_prefix_is_rejected()
    {
        var error = Assert.Throws<ConfigurationException>(() => new StemPair("happy", "happi"));
        Assert.Contains("'happi' is not a prefix of 'happy'", error.Message, StringComparison.Ordinal);
        Assert.Throws<ConfigurationException>(() => Shipped["da"].Examples(maxCut: 0));
    }

    [Fact]
    public void Save_then_load_round_trips()
    {
        using var folder = new TempDirectory();
        var task = new StemmingTask("xx", "Test", "Latn", "CC0-1.0", [new StemPair("walking", "walk"), new StemPair("ran", "ran")]);
        new SnowballStems([task]).Save(folder.Path);
        var loaded = SnowballStems.Load(folder.Path)["xx"];

        Assert.Equal(task with { Pairs = [] }, loaded with { Pairs = [] });
        Assert.Equal(task.Pairs, loaded.Pairs);
        Assert.Equal([new LabeledText("walking", 3), new LabeledText("ran", 0)], loaded.Examples());
    }

    [Fact]
    public void Damaged_pair_file_is_reported_with_its_line()
    {
        using var folder = new TempDirectory();
        new SnowballStems([new StemmingTask("xx", "Test", "Latn", "CC0-1.0", [new StemPair("walking", "walk")])]).Save(folder.Path);
        File.AppendAllText(Path.Combine(folder.Path, "xx.tsv"), "happy\thappi\n");

        var error = Assert.Throws<DataFileException>(() => SnowballStems.Load(folder.Path));
        Assert.Contains("xx.tsv' line 3: stem 'happi' is not a prefix of word 'happy'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_language_in_the_index_is_reported()
    {
        using var folder = new TempDirectory();
        File.WriteAllText(Path.Combine(folder.Path, "languages.tsv"), "tag\tname\tscript\tlicense\nxx\tA\tLatn\tMIT\nxx\tB\tLatn\tMIT\n");
        File.WriteAllText(Path.Combine(folder.Path, "xx.tsv"), "word\tstem\n");

        var error = Assert.Throws<DataFileException>(() => SnowballStems.Load(folder.Path));
        Assert.Contains("line 3: language tag 'xx' appears twice", error.Message, StringComparison.Ordinal);
    }
}
