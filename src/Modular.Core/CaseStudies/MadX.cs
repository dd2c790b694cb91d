using Modular.Aggregation;
using Modular.Computation;
using Modular.Data;
using Modular.NN;
using Modular.Optim;
using Modular.Tensors;
using Modular.Training;

namespace Modular.CaseStudies;

/// <summary>
/// MAD-X (Pfeiffer et al., 2020), the cross-lingual transfer case study: one bottleneck adapter per language trained
/// with masked language modelling on a frozen multilingual base (optionally with an invertible adapter on the
/// embeddings, whose inverse runs before the MLM decoder), then a task adapter trained on the source language stacked
/// on that language's adapter; at test time the target language's adapter is swapped in, zero-shot.
/// </summary>
public sealed class MadX
{
    private readonly Dictionary<string, TrainingResult> languageTraining = new(StringComparer.Ordinal);

    /// <summary>
    /// Creates the language-adapter stage on the pre-trained masked language model at <paramref name="basePath"/>
    /// (default: the shipped base), with its models on <paramref name="device"/> (default: the CPU engine).
    /// </summary>
    public MadX(IReadOnlyList<string> languages, bool invertible, int reduction = 2, string? basePath = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(languages);
        if (languages.Count == 0) throw new ConfigurationException("MAD-X needs at least one language.");
        Languages = languages;
        Invertible = invertible;
        Reduction = reduction;
        BasePath = basePath;
        Device = device ?? Device.Cpu;
        LanguageModel = PretrainedBase.LoadLanguageModel(basePath).To(Device).WithModules();
        foreach (var language in languages)
        {
            LanguageModel.Attach(LanguageAdapter(), language);
            if (invertible) LanguageModel.Attach(new InvertibleAdapter(), InvertibleName(language));
        }
    }

    /// <summary>The device the language model and the classifiers compute on.</summary>
    public Device Device { get; }

    /// <summary>The languages, by tag (en, de, …).</summary>
    public IReadOnlyList<string> Languages { get; }

    /// <summary>Whether each language also has an invertible adapter.</summary>
    public bool Invertible { get; }

    /// <summary>Bottleneck reduction factor of the language adapters.</summary>
    public int Reduction { get; }

    /// <summary>The base checkpoint used (null = shipped).</summary>
    public string? BasePath { get; }

    /// <summary>The frozen masked language model carrying every language's adapters.</summary>
    public ModularModel LanguageModel { get; }

    /// <summary>How each language adapter's masked-LM training went.</summary>
    public IReadOnlyDictionary<string, TrainingResult> LanguageTraining => languageTraining;

    /// <summary>The language adapter recipe: a Pfeiffer bottleneck after each feed-forward block.</summary>
    public BottleneckAdapter LanguageAdapter() => new(Reduction, AdapterPlacement.Pfeiffer);

    /// <summary>Name of a language's invertible adapter.</summary>
    public static string InvertibleName(string language) => $"{language}-inv";

    /// <summary>Language adapter(s) of <paramref name="language"/> stacked, then <paramref name="task"/> if given: Stack(inv, language, task).</summary>
    public Block Setup(string language, string? task = null)
    {
        var blocks = new List<Block>();
        if (Invertible) blocks.Add(InvertibleName(language));
        blocks.Add(language);
        if (task is not null) blocks.Add(task);
        return blocks.Count == 1 ? blocks[0] : new Stack([.. blocks]);
    }

    /// <summary>Trains each language's adapters with masked language modelling on its own text, the base frozen.</summary>
    public void TrainLanguageAdapters(Func<string, SequenceDataset> text, TrainerOptions options, float learningRate = 1e-3f)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(options);
        foreach (var language in Languages)
        {
            LanguageModel.Active = Setup(language);
            LanguageModel.TrainOnly(Invertible ? [language, InvertibleName(language)] : [language]);
            var trainer = new Trainer(LanguageModel, new AdamW(learningRate), options: options with { RunName = $"language adapter {language}" });
            languageTraining[language] = trainer.Fit(text(language));
        }
    }

    /// <summary>
    /// Masked-LM loss of <paramref name="text"/> with <paramref name="language"/>'s adapters active, or with none when
    /// <paramref name="language"/> is null (the base alone) — lower = the adapter fits the language.
    /// </summary>
    public double LanguageModelLoss(string? language, SequenceDataset text)
    {
        LanguageModel.Active = language is null ? null : Setup(language);
        var trainer = new Trainer(LanguageModel.Base, b => LanguageModel.Forward(b.Ids, b.PaddingMask, b.Metadata), new AdamW(), new MaskedLanguageModelingObjective());
        return trainer.Evaluate(text).Loss;
    }

    /// <summary>
    /// The unlabelled text a language adapter learns from: <paramref name="language"/>'s declaration of human rights,
    /// then its translations of the first <paramref name="messages"/> of <paramref name="trainingMessages"/>.
    /// </summary>
    public static IEnumerable<string> LanguageTexts(UdhrCorpus udhr, IEnumerable<TranslatedMessage> trainingMessages, string language, int messages = 640)
    {
        ArgumentNullException.ThrowIfNull(udhr);
        ArgumentNullException.ThrowIfNull(trainingMessages);
        return udhr[language].Paragraphs.Select(p => p.Text).Concat(trainingMessages.Take(messages).Select(m => m.Texts[language]));
    }

    /// <summary>
    /// A classifier on the same base (new head, seeded) carrying copies of every language's adapters, frozen, ready for a
    /// task adapter to be attached and trained.
    /// </summary>
    public ModularModel Classifier(int classes, int seed)
    {
        var classifier = PretrainedBase.LoadClassifier(classes, seed, BasePath).To(Device).WithModules(seed);
        foreach (var language in Languages)
        {
            classifier.CopyModule(LanguageModel, language);
            if (Invertible) classifier.CopyModule(LanguageModel, InvertibleName(language));
        }
        classifier.Active = null;
        return classifier;
    }
}
