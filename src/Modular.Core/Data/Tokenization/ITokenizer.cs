namespace Modular.Data;

/// <summary>Turns text into token ids and back. Ids below <see cref="SpecialTokens.Count"/> are the <see cref="SpecialTokens"/>.</summary>
public interface ITokenizer
{
    /// <summary>The number of distinct ids, special tokens included: the size of the embedding table.</summary>
    int VocabularySize { get; }

    /// <summary>The ids of <paramref name="text"/>, without special tokens added.</summary>
    int[] Encode(string text);

    /// <summary>The text of <paramref name="ids"/>; special tokens are skipped.</summary>
    string Decode(ReadOnlySpan<int> ids);

    /// <summary>A readable name for one id (the character, a byte such as <c>&lt;0xE3&gt;</c>, or a special token's name), for tables and heatmap axes.</summary>
    string TokenName(int id);
}
