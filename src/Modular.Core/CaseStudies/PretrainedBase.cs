using Modular.Checkpoints;
using Modular.Data;
using Modular.NN;
using Modular.Optim;
using Modular.Tensors;
using Modular.Training;

namespace Modular.CaseStudies;

/// <summary>Shape of the small multilingual base the tutorials share.</summary>
public sealed record BaseConfig(int Vocabulary = 261, int Dimension = 64, int Layers = 4, int Heads = 4, int FeedForward = 256, int MaxLength = 64)
{
    /// <summary>The configuration used by the shipped checkpoint.</summary>
    public static BaseConfig Default { get; } = new();
}

/// <summary>
/// The tutorials' frozen base: a small byte-level Transformer pre-trained with masked language modelling on the shipped
/// multilingual text (the Universal Declaration of Human Rights in 39 languages and the training split of the gettext
/// messages in 10 languages). <c>scripts/pretrain-base.cs</c> reproduces the shipped checkpoint.
/// </summary>
public static class PretrainedBase
{
    /// <summary>The shipped checkpoint: data/models/base-mlm.safetensors.</summary>
    public static string DefaultPath => Path.Combine(DataDirectory.Shipped, "models", "base-mlm.safetensors");

    /// <summary>The tokenizer of the base (UTF-8 bytes).</summary>
    public static ITokenizer Tokenizer => ByteTokenizer.Instance;

    /// <summary>
    /// The texts the base is pre-trained on, and the seed of the gettext split whose training part is used; languages in
    /// <paramref name="without"/> (tags such as "ja") are left out of both corpora, for a base that never saw them.
    /// </summary>
    public static IReadOnlyList<string> PretrainingTexts(UdhrCorpus udhr, GettextCorpus gettext, ulong splitSeed = 1, IReadOnlyCollection<string>? without = null)
    {
        ArgumentNullException.ThrowIfNull(udhr);
        ArgumentNullException.ThrowIfNull(gettext);
        without ??= [];
        var split = DatasetSplit.Create(gettext.Messages, splitSeed);
        return udhr.Languages.Where(l => !without.Contains(l.Tag)).SelectMany(l => l.Paragraphs.Select(p => p.Text))
            .Concat(gettext.Languages.Where(l => !without.Contains(l)).SelectMany(language => split.Train.Select(m => m.Texts[language])))
            .ToList();
    }

    /// <summary>Pre-trains a masked language model from scratch.</summary>
    public static (MaskedLanguageModel Model, TrainingResult Result) Pretrain(IReadOnlyList<string> texts, BaseConfig config, int epochs, int seed = 0,
        float learningRate = 1e-3f, int batchSize = 32, IProgress<Reports.TrainingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var model = new MaskedLanguageModel(config.Vocabulary, config.Dimension, config.Layers, config.Heads, config.FeedForward, config.MaxLength, new Rng((ulong)seed));
        var data = TextTasks.MaskedLanguageModeling(texts, Tokenizer, config.MaxLength, seed, batchSize);
        var optimizer = new AdamW(learningRate) { Schedule = LearningRateSchedule.WarmupCosine(data.BatchesPerEpoch / 2, data.BatchesPerEpoch * epochs) };
        var trainer = new Trainer(model.WithModules(), optimizer, options: new TrainerOptions { Epochs = epochs, Seed = seed, RunName = "pre-training" }) { Progress = progress };
        var result = trainer.Fit(data);
        return (model, result);
    }

    /// <summary>Writes the base's weights with its configuration as metadata (atomically).</summary>
    public static void Save(MaskedLanguageModel model, BaseConfig config, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        SafeTensorsFile.Write(path, model.State(), new Dictionary<string, string>
        {
            ["vocabulary"] = config.Vocabulary.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["dimension"] = config.Dimension.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["layers"] = config.Layers.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["heads"] = config.Heads.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["feed_forward"] = config.FeedForward.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["max_length"] = config.MaxLength.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    /// <summary>The configuration stored in a checkpoint.</summary>
    public static BaseConfig ReadConfig(SafeTensors file)
    {
        ArgumentNullException.ThrowIfNull(file);
        int Get(string key) => file.Metadata.TryGetValue(key, out var v) && int.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n
            : throw new CheckpointFormatException($"'{file.Source}' is not a Modular base checkpoint: its metadata lacks '{key}'. Re-create it with `dotnet run scripts/pretrain-base.cs`.");
        return new BaseConfig(Get("vocabulary"), Get("dimension"), Get("layers"), Get("heads"), Get("feed_forward"), Get("max_length"));
    }

    /// <summary>The pre-trained masked language model.</summary>
    public static MaskedLanguageModel LoadLanguageModel(string? path = null)
    {
        var file = Open(path);
        var config = ReadConfig(file);
        var model = new MaskedLanguageModel(config.Vocabulary, config.Dimension, config.Layers, config.Heads, config.FeedForward, config.MaxLength, new Rng(0));
        model.LoadState(file.GetAll());
        return model;
    }

    /// <summary>A classifier whose encoder is the pre-trained base and whose head (seeded by <paramref name="seed"/>) is new.</summary>
    public static TransformerClassifier LoadClassifier(int classes, int seed = 0, string? path = null)
    {
        var file = Open(path);
        var config = ReadConfig(file);
        var model = new TransformerClassifier(config.Vocabulary, config.Dimension, config.Layers, config.Heads, config.FeedForward, classes, config.MaxLength, new Rng((ulong)seed));
        var encoder = file.GetAll().Where(e => !e.Key.StartsWith("mlmHead.", StringComparison.Ordinal)).ToDictionary(e => e.Key, e => e.Value);
        model.LoadState(encoder, strict: false);
        return model;
    }

    private static SafeTensors Open(string? path)
    {
        path ??= DefaultPath;
        if (!File.Exists(path)) throw new DataFileException($"The pre-trained base '{Path.GetFullPath(path)}' is missing. It ships with the repository (git checkout -- data/models) and `dotnet run scripts/pretrain-base.cs` re-creates it.", path);
        return SafeTensorsFile.Read(path);
    }
}
