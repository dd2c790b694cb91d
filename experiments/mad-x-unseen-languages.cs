#:project ../src/Modular.Interactive/Modular.Interactive.csproj
#:property PublishAot=false
// MAD-X on languages the base never saw — the follow-up the MAD-X tutorial's results call for. MAD-X gains most on
// languages that pre-training covered little or not at all; the shipped base saw every tutorial language. This
// experiment pre-trains a second base, identical except that Polish, Russian and Japanese are left out of its text
// (their declaration of human rights and their program messages), then repeats the tutorial's comparison on them:
// language adapters (with invertible adapters) trained by masked language modelling on each language's text, a task
// adapter trained on English stacked on them, zero-shot transfer by swapping in the target's adapters — against the
// task adapter alone and full fine-tuning on the same base.
//
//   dotnet run -c Release experiments/mad-x-unseen-languages.cs [-- --quick] [--seeds N] [--report file.html]
//
// The second base is cached in the system's temporary folder. The README's results section records a full run.
using Modular;
using Modular.CaseStudies;
using Modular.Computation;
using Modular.Data;
using Modular.Interactive;
using Modular.Optim;
using Modular.Reports;
using Modular.Training;
using static Modular.Interactive.Output;

var options = Modular.Interactive.Tutorials.TutorialOptions.FromArgs(args);  // --quick (or MODULAR_QUICK=1), --seeds N, --report path
using var report = new HtmlReport(options.ReportPath ?? "mad-x-unseen-languages-report.html", "MAD-X on languages the base never saw");
AmbientProgress.Factory = () => new Modular.Interactive.Progress.ConsoleProgress();

string[] unseen = ["pl", "ru", "ja"];
string[] languages = ["en", .. unseen];
var gettext = GettextCorpus.Load();
var udhr = UdhrCorpus.Load();
var split = DatasetSplit.Create(gettext.Messages, seed: 1);  // the split the pre-training texts use
var tokenizer = PretrainedBase.Tokenizer;
const int Length = 64;
int limit = options.Size(int.MaxValue, 64);

// ---- a base that never saw the target languages
int pretrainingEpochs = options.Size(3, 1);
var basePath = Path.Combine(Path.GetTempPath(), $"modular-base-without-{string.Join("-", unseen)}-{pretrainingEpochs}.safetensors");
if (!File.Exists(basePath))
{
    var texts = PretrainedBase.PretrainingTexts(udhr, gettext, without: unseen).Take(options.Size(int.MaxValue, 256)).ToList();
    Console.WriteLine($"pre-training a base without {string.Join(", ", unseen)}: {texts.Count:N0} texts, {pretrainingEpochs} epochs");
    var (pretrained, _) = PretrainedBase.Pretrain(texts, BaseConfig.Default, pretrainingEpochs, seed: 0);
    PretrainedBase.Save(pretrained, BaseConfig.Default, basePath);
}

// ---- the tutorial's data and comparison, on that base
SequenceDataset Programs(string language, IReadOnlyList<TranslatedMessage> messages, bool shuffle) =>
    TextTasks.Classification(gettext.Examples(language, messages.Take(limit)), tokenizer, Length, shuffle: shuffle);
SequenceDataset LanguageText(string language) =>
    TextTasks.MaskedLanguageModeling(MadX.LanguageTexts(udhr, split.Train, language).Take(options.Size(int.MaxValue, 48)), tokenizer, Length, seed: 0);
var train = Programs("en", split.Train, shuffle: true);
var test = languages.ToDictionary(l => l, l => Programs(l, split.Test, shuffle: false));

var madx = new MadX(languages, invertible: true, basePath: basePath);
madx.TrainLanguageAdapters(LanguageText, new TrainerOptions { Epochs = options.Size(3, 1) });
var lm = new ResultsTable("language", "base model", "+ language and invertible adapters") { Title = "Masked-LM loss on each language's own text (nats per masked byte)", Caption = "the base never saw pl, ru, ja; lower is better" };
foreach (var language in languages)
{
    var text = LanguageText(language).With(shuffle: false);
    lm.Add(language, madx.LanguageModelLoss(null, text), madx.LanguageModelLoss(language, text));
}
Show(lm);

var configurations = new[] { "MAD-X", "task adapter only", "full fine-tuning" };
var accuracy = configurations.ToDictionary(c => c, _ => languages.ToDictionary(l => l, _ => new List<double>()));
foreach (var seed in options.SeedList)
{
    foreach (var configuration in configurations)
    {
        var model = configuration == "MAD-X" ? madx.Classifier(gettext.Programs.Count, seed)
            : PretrainedBase.LoadClassifier(gettext.Programs.Count, seed, basePath).WithModules(seed);
        if (configuration == "full fine-tuning") model.Attach(new FullFineTuning(), "task").TrainOnly("task");
        else model.Attach(new BottleneckAdapter(reduction: 4), "task").TrainOnly("task", "head");
        model.Active = configuration == "MAD-X" ? madx.Setup("en", "task") : "task";
        var trainer = new Trainer(model, new AdamW(configuration == "full fine-tuning" ? 5e-4f : 3e-3f),
            options: new TrainerOptions { Epochs = options.Size(6, 1), Seed = seed, RunName = $"{configuration}, seed {seed}" });
        trainer.Fit(train.With(seed: seed));
        foreach (var language in languages)
        {
            if (configuration == "MAD-X") model.Active = madx.Setup(language, "task");  // swap in the target language's adapters
            accuracy[configuration][language].Add(trainer.Evaluate(test[language])["accuracy"]);
        }
        Console.WriteLine($"{configuration}, seed {seed}: {string.Join(", ", languages.Select(l => $"{l} {accuracy[configuration][l][^1]:F3}"))}");
    }
}

var results = new ResultsTable(["configuration", "English (source)", "unseen, mean", .. unseen])
{
    Title = "Zero-shot transfer from English to languages the base never saw",
    Caption = $"test accuracy, mean ± standard deviation over {options.SeedList.Count} seed(s); 8 programs, chance 0.125",
};
foreach (var configuration in configurations)
{
    var perSeedMean = Enumerable.Range(0, options.SeedList.Count).Select(s => unseen.Average(l => accuracy[configuration][l][s]));
    results.Add([configuration, Measurement.Of(accuracy[configuration]["en"]), Measurement.Of(perSeedMean), .. unseen.Select(l => (object?)Measurement.Of(accuracy[configuration][l]))]);
}
Show(results);
