namespace Modular.Data;

/// <summary>One entry of a gettext catalogue: a source message (usually English) and its translated forms.</summary>
/// <param name="Context">The <c>msgctxt</c> that tells identical source strings apart, or null when there is none.</param>
/// <param name="Id">The source text (<c>msgid</c>).</param>
/// <param name="PluralId">The plural source text (<c>msgid_plural</c>), or null for a message without plural forms.</param>
/// <param name="Translations">The translations: one for a singular message, one per plural form of the target language otherwise.</param>
public sealed record GettextMessage(string? Context, string Id, string? PluralId, IReadOnlyList<string> Translations);
