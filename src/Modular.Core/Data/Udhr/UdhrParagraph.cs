namespace Modular.Data;

/// <summary>One paragraph (or list item) of the Universal Declaration of Human Rights.</summary>
/// <param name="Article">The article number, 1–30; 0 for the preamble.</param>
/// <param name="Text">The paragraph, whitespace collapsed to single spaces, Unicode NFC.</param>
public sealed record UdhrParagraph(int Article, string Text);
