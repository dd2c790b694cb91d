namespace Modular.Interactive.Notebook;

/// <summary>
/// One parameter of a magic command, e.g. <c>--layer</c>. The implicit parameter takes the bare words after the
/// command (<c>#!modular-summary model</c>); <paramref name="AllowedValues"/> lists the choices when they are fixed.
/// </summary>
public sealed record MagicParameter(string Name, string Description, bool IsImplicit = false, IReadOnlyList<string>? AllowedValues = null)
{
    /// <summary>The C# property the kernel binds this parameter to: <c>--group-by</c> becomes <c>GroupBy</c>.</summary>
    public string PropertyName => string.Concat(Name.TrimStart('-').Split('-').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));
}
