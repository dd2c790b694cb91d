using Modular.Data;

namespace Modular.Tests.Data;

public class GettextCorpusTests
{
    private static readonly GettextCorpus Shipped = GettextCorpus.Load();

    [Fact]
    public void Shipped_sample_has_200_messages_for_each_of_8_programs_in_10_languages()
    {
        Assert.Equal(1600, Shipped.Messages.Count);
        Assert.Equal(["en", "de", "fr", "es", "it", "pt-BR", "nl", "pl", "ru", "ja"], Shipped.Languages);
        Assert.Equal(["apt", "coreutils", "dpkg", "glib20", "gtk30", "gtk30-properties", "tar", "wget"], Shipped.Programs);
        Assert.All(Shipped.Programs, p => Assert.Equal(200, Shipped.Messages.Count(m => m.Program == p)));
    }

    [Fact]
    public void A_tar_message_is_aligned_across_languages()
    {
        var message = Assert.Single(Shipped.Messages, m => m.Texts["en"] == "! Spawn a subshell");
        Assert.Equal("tar", message.Program);
        Assert.Equal("! Shell in einem Unterprozess starten", message.Texts["de"]);
        Assert.Equal("! サブシェルを起動", message.Texts["ja"]);
        Assert.Equal(6, Shipped.Label(message));
    }

    [Fact]
    public void Examples_in_any_language_carry_the_same_program_labels()
    {
        var english = Shipped.Examples("en");
        var russian = Shipped.Examples("ru");
        Assert.Equal(english.Select(e => e.Label), russian.Select(e => e.Label));
        Assert.Equal(Enumerable.Repeat(200, 8), english.GroupBy(e => e.Label).OrderBy(g => g.Key).Select(g => g.Count()));
        Assert.NotEqual(english[0].Text, russian[0].Text);
    }

    [Fact]
    public void Splitting_messages_keeps_every_translation_of_a_message_on_one_side()
    {
        var split = DatasetSplit.Create(Shipped.Messages, seed: 3);
        var trainEnglish = Shipped.Examples("en", split.Train).Select(e => e.Text).ToHashSet();
        var testMessages = split.Test.Select(m => m.Texts["en"]).ToHashSet();

        Assert.Equal((1280, 160, 160), (split.Train.Count, split.Dev.Count, split.Test.Count));
        Assert.Empty(trainEnglish.Intersect(testMessages));
        Assert.Equal(split.Test.Select(m => m.Texts["de"]), Shipped.Examples("de", split.Test).Select(e => e.Text));
    }

    [Fact]
    public void Unknown_language_is_a_configuration_error()
    {
        var error = Assert.Throws<ConfigurationException>(() => Shipped.Examples("pt"));
        Assert.Contains("pt-BR", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_then_load_round_trips_and_renumbers_programs_ordinally()
    {
        using var folder = new TempDirectory();
        var messages = new[]
        {
            new TranslatedMessage("wget", new Dictionary<string, string> { ["en"] = "Found no broken links.", ["de"] = "Keine ungültigen Verweise gefunden." }),
            new TranslatedMessage("apt", new Dictionary<string, string> { ["en"] = "Connection failed", ["de"] = "Verbindung fehlgeschlagen" }),
        };
        new GettextCorpus(["en", "de"], messages).Save(folder.Path);
        var loaded = GettextCorpus.Load(folder.Path);

        Assert.Equal(["apt", "wget"], loaded.Programs);
        Assert.Equal([new LabeledText("Keine ungültigen Verweise gefunden.", 1), new LabeledText("Verbindung fehlgeschlagen", 0)], loaded.Examples("de"));
    }

    [Fact]
    public void Message_without_a_language_is_rejected()
    {
        var message = new TranslatedMessage("tar", new Dictionary<string, string> { ["en"] = "Total bytes written" });
        var error = Assert.Throws<ConfigurationException>(() => new GettextCorpus(["en", "fr"], [message]));
        Assert.Contains("no 'fr' text", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_header_and_empty_translation_are_reported()
    {
        using var folder = new TempDirectory();
        string file = Path.Combine(folder.Path, "messages.tsv");

        File.WriteAllText(file, "label\ten\nwget\tHello there\n");
        Assert.Contains("line 1", Assert.Throws<DataFileException>(() => GettextCorpus.Load(folder.Path)).Message, StringComparison.Ordinal);

        File.WriteAllText(file, "program\ten\tde\nwget\tHello there\t\n");
        var error = Assert.Throws<DataFileException>(() => GettextCorpus.Load(folder.Path));
        Assert.Contains("line 2: the 'de' text is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_names_the_fetch_command()
    {
        using var folder = new TempDirectory();
        var error = Assert.Throws<DataFileException>(() => GettextCorpus.Load(folder.Path));
        Assert.EndsWith("messages.tsv", error.FilePath, StringComparison.Ordinal);
        Assert.Contains(DataDirectory.FetchCommand, error.Message, StringComparison.Ordinal);
    }
}
