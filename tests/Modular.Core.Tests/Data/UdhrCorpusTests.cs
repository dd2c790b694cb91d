using Modular.Data;

namespace Modular.Tests.Data;

public class UdhrCorpusTests
{
    private static readonly UdhrCorpus Shipped = UdhrCorpus.Load();

    [Fact]
    public void Shipped_sample_has_39_languages_in_15_scripts()
    {
        Assert.Equal(39, Shipped.Languages.Count);
        Assert.Equal(15, Shipped.Languages.Select(l => l.Script).Distinct().Count());
        Assert.Equal(18, Shipped.Languages.Count(l => l.Script == "Latn"));
        Assert.Equal(["ar", "fa", "he", "ur"], Shipped.Languages.Where(l => l.RightToLeft).Select(l => l.Tag).Order(StringComparer.Ordinal));
        Assert.Equal(2313, Shipped.Languages.Sum(l => l.Paragraphs.Count));
    }

    [Fact]
    public void English_article_one_reads_as_published()
    {
        var english = Shipped["en"];
        Assert.Equal(("English", "Latn", "eng"), (english.Name, english.Script, english.UdhrCode));
        Assert.Equal(60, english.Paragraphs.Count);
        Assert.Equal(10, english.Paragraphs.Count(p => p.Article == 0));
        Assert.Equal(
            "All human beings are born free and equal in dignity and rights. They are endowed with reason and conscience and should act towards one another in a spirit of brotherhood.",
            Assert.Single(english.Paragraphs, p => p.Article == 1).Text);
    }

    [Theory]
    [InlineData("ja", "すべての人間は、生まれながらにして自由であり")]
    [InlineData("ru", "Все люди рождаются свободными и равными")]
    [InlineData("ar", "يولد جميع الناس أحرارًا")]
    public void Every_language_has_all_thirty_articles_and_its_own_script(string tag, string articleOneStart)
    {
        var language = Shipped[tag];
        Assert.Equal(Enumerable.Range(1, 30), language.Paragraphs.Select(p => p.Article).Where(a => a > 0).Distinct());
        Assert.StartsWith(articleOneStart, language.Paragraphs.First(p => p.Article == 1).Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Language_identification_labels_each_paragraph_with_its_language_index()
    {
        var examples = Shipped.LanguageIdentification();
        Assert.Equal(2313, examples.Count);
        int german = Shipped.Languages.ToList().FindIndex(l => l.Tag == "de");
        Assert.Equal(Shipped["de"].Paragraphs.Count, examples.Count(e => e.Label == german));
        Assert.Equal(Shipped["de"].Paragraphs[0].Text, examples.First(e => e.Label == german).Text);
    }

    [Fact]
    public void Unknown_tag_lists_the_available_ones()
    {
        var error = Assert.Throws<ConfigurationException>(() => Shipped["xx"]);
        Assert.Contains("'xx'", error.Message, StringComparison.Ordinal);
        Assert.Contains("pt-BR", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_then_load_gives_the_same_corpus()
    {
        using var folder = new TempDirectory();
        var corpus = new UdhrCorpus([Shipped["he"], Shipped["ko"]]);
        corpus.Save(folder.Path);
        var loaded = UdhrCorpus.Load(folder.Path);

        Assert.Equal(["he", "ko"], loaded.Languages.Select(l => l.Tag));
        Assert.True(loaded["he"].RightToLeft);
        Assert.Equal(Shipped["ko"].Paragraphs, loaded["ko"].Paragraphs);
        Assert.Equal(Shipped["he"] with { Paragraphs = [] }, loaded["he"] with { Paragraphs = [] });
    }

    [Fact]
    public void Missing_language_file_names_the_file_and_the_fetch_command()
    {
        using var folder = new TempDirectory();
        File.Delete(Path.Combine(folder.CopyFrom(Path.Combine(DataDirectory.Shipped, "udhr")), "ka.tsv"));

        var error = Assert.Throws<DataFileException>(() => UdhrCorpus.Load(folder.Path));
        Assert.EndsWith("ka.tsv", error.FilePath, StringComparison.Ordinal);
        Assert.Contains("ka.tsv' is missing", error.Message, StringComparison.Ordinal);
        Assert.Contains(DataDirectory.FetchCommand, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Damaged_row_is_reported_with_its_line_number()
    {
        using var folder = new TempDirectory();
        var corpus = new UdhrCorpus([Shipped["en"]]);
        corpus.Save(folder.Path);
        string file = Path.Combine(folder.Path, "en.tsv");
        var lines = File.ReadAllLines(file);
        lines[3] = lines[3].Replace('\t', ' ');
        File.WriteAllLines(file, lines);

        var error = Assert.Throws<DataFileException>(() => UdhrCorpus.Load(folder.Path));
        Assert.Contains("line 4: expected 2 tab-separated fields (article, text), found 1", error.Message, StringComparison.Ordinal);
        Assert.Contains(DataDirectory.FetchCommand, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("31\tNo such article.", "article 31 does not exist")]
    [InlineData("one\tText.", "not a non-negative integer")]
    [InlineData("2\t", "the paragraph is empty")]
    public void Invalid_paragraph_rows_are_rejected(string row, string problem)
    {
        using var folder = new TempDirectory();
        new UdhrCorpus([Shipped["en"] with { Paragraphs = [new UdhrParagraph(1, "Text.")] }]).Save(folder.Path);
        File.AppendAllText(Path.Combine(folder.Path, "en.tsv"), row + "\n");

        var error = Assert.Throws<DataFileException>(() => UdhrCorpus.Load(folder.Path));
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Windows_line_endings_and_a_byte_order_mark_are_accepted()
    {
        using var folder = new TempDirectory();
        new UdhrCorpus([Shipped["en"]]).Save(folder.Path);
        string file = Path.Combine(folder.Path, "en.tsv");
        File.WriteAllText(file, File.ReadAllText(file).Replace("\n", "\r\n", StringComparison.Ordinal), new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        Assert.Equal(Shipped["en"].Paragraphs, UdhrCorpus.Load(folder.Path)["en"].Paragraphs);
    }

    [Fact]
    public void Text_that_is_not_utf8_is_reported()
    {
        using var folder = new TempDirectory();
        new UdhrCorpus([Shipped["en"]]).Save(folder.Path);
        File.WriteAllBytes(Path.Combine(folder.Path, "en.tsv"), [.. "article\ttext\n1\tFine.\n2\t"u8, 0xC3, 0x28, (byte)'\n']);

        var error = Assert.Throws<DataFileException>(() => UdhrCorpus.Load(folder.Path));
        Assert.Contains("line 3: the bytes after the first 23 are not valid UTF-8", error.Message, StringComparison.Ordinal);
    }
}
