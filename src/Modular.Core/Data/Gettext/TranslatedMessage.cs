namespace Modular.Data;

/// <summary>A user-interface message of a program together with its translations.</summary>
/// <param name="Program">The program (gettext domain) the message comes from, e.g. <c>tar</c> or <c>gtk30</c>.</param>
/// <param name="Texts">The message per BCP 47 language tag; <c>en</c> is the source text.</param>
public sealed record TranslatedMessage(string Program, IReadOnlyDictionary<string, string> Texts);
