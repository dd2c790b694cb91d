using Modular.Data;
using Modular.Tensors;
using Modular.Training;

namespace Modular.CaseStudies;

/// <summary>Turns the shipped text data into trainer datasets: classification of texts, masked language modelling on windows.</summary>
public static class TextTasks
{
    /// <summary>[CLS] text [SEP], truncated to <paramref name="maxLength"/> tokens, one class per text; optional per-example metadata.</summary>
    public static SequenceDataset Classification(IReadOnlyList<LabeledText> examples, ITokenizer tokenizer, int maxLength,
        IReadOnlyDictionary<string, int[]>? metadata = null, int batchSize = 32, bool shuffle = true, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(tokenizer);
        var sequences = examples.Select(e => Trim(tokenizer.EncodeFixed(e.Text, maxLength))).ToList();
        return new SequenceDataset(sequences, examples.Select(e => e.Label).ToList(), metadata, batchSize, shuffle, seed, SpecialTokens.Pad);
    }

    /// <summary>
    /// Masked language modelling on windows of <paramref name="maxLength"/> tokens cut from <paramref name="texts"/>:
    /// BERT's 80/10/10 masking of 15% of the tokens, drawn once from <paramref name="seed"/>; targets are −100 where
    /// nothing is predicted.
    /// </summary>
    public static SequenceDataset MaskedLanguageModeling(IEnumerable<string> texts, ITokenizer tokenizer, int maxLength,
        int seed, int batchSize = 32, IReadOnlyDictionary<string, int>? metadata = null, float probability = 0.15f)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(tokenizer);
        var windows = texts.SelectMany(t => tokenizer.EncodeWindows(t, maxLength)).Where(w => w.Length > 2).ToList();
        if (windows.Count == 0) throw new ConfigurationException("MaskedLanguageModeling: the texts gave no windows; pass non-empty texts.");
        var masked = Data.MaskedLanguageModeling.Mask(TokenBatch.FromSequences(windows), tokenizer.VocabularySize, new Rng((ulong)seed), probability);
        int length = masked.SequenceLength;
        var ids = new List<int[]>(windows.Count);
        var targets = new List<int[]>(windows.Count);
        for (int i = 0; i < windows.Count; i++)
        {
            int n = windows[i].Length;
            ids.Add(masked.TokenIds.Span.Slice(i * length, n).ToArray());
            targets.Add(masked.Labels!.Span.Slice(i * length, n).ToArray());
        }
        var meta = metadata?.ToDictionary(e => e.Key, e => Enumerable.Repeat(e.Value, windows.Count).ToArray());
        return new SequenceDataset(ids, targets, meta, batchSize, shuffle: true, seed, SpecialTokens.Pad);
    }

    /// <summary>Drops trailing padding, so that batches are padded only to their longest sequence.</summary>
    private static int[] Trim(int[] sequence)
    {
        int end = sequence.Length;
        while (end > 1 && sequence[end - 1] == SpecialTokens.Pad) end--;
        return sequence[..end];
    }
}
