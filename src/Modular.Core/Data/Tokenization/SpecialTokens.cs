namespace Modular.Data;

/// <summary>
/// The special tokens every Modular tokenizer reserves, at the same ids in each, so padding, masking and pooling code
/// never needs to ask which tokenizer produced a sequence.
/// </summary>
public static class SpecialTokens
{
    /// <summary>Padding after the end of a sequence; attention ignores it.</summary>
    public const int Pad = 0;

    /// <summary>A character the vocabulary does not know.</summary>
    public const int Unknown = 1;

    /// <summary>Starts every encoded sequence; its final hidden state summarises the sequence for classification.</summary>
    public const int Classification = 2;

    /// <summary>Ends every encoded sequence.</summary>
    public const int Separator = 3;

    /// <summary>Replaces a token the masked-language-modelling objective asks the model to predict.</summary>
    public const int Mask = 4;

    /// <summary>How many ids are reserved: ordinary tokens start here.</summary>
    public const int Count = 5;

    /// <summary>The display names, indexed by id: <c>[PAD]</c>, <c>[UNK]</c>, <c>[CLS]</c>, <c>[SEP]</c>, <c>[MASK]</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

    /// <summary>Whether <paramref name="id"/> is one of the reserved ids.</summary>
    public static bool IsSpecial(int id) => (uint)id < Count;
}
