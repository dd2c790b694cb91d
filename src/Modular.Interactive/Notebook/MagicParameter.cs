namespace Modular.Interactive.Notebook;

/// <summary>
/// One parameter of a magic command, e.g. <c>--layer</c>. The implicit parameter takes the bare words after the
/// command (<c>#!modular-summary model</c>), several of them when <paramref name="IsList"/> (<c>#!peft-table lora bitfit</c>);
/// <paramref name="AllowedValues"/> lists the choices when they are fixed.
/// </summary>
public sealed record MagicParameter(string Name, string Description, bool IsImplicit = false, IReadOnlyList<string>? AllowedValues = null, bool IsList = false);
