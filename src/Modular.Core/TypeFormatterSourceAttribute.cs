using System.Reflection;

namespace Modular;

/// <summary>
/// Tells the .NET Interactive kernel how to display a report type, without Modular.Core referencing the kernel
/// or the HTML renderers.
/// </summary>
/// <remarks>
/// The kernel's formatter looks, on the type being displayed and its base types, for any attribute whose type
/// is named <c>TypeFormatterSourceAttribute</c>, reads its public <c>FormatterSourceType</c> property, creates
/// that type and asks its <c>CreateTypeFormatters()</c> for objects exposing <c>MimeType</c> and
/// <c>bool Format(object, TextWriter)</c>. The renderers live in Modular.Interactive, which depends on this
/// assembly, so the formatter source is named here and resolved only when the kernel asks: in a session that never
/// loaded Modular.Interactive the property is null and the kernel falls back to its default formatting.
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, Inherited = true)]
internal sealed class TypeFormatterSourceAttribute(string formatterSourceTypeName) : Attribute
{
    /// <summary>The formatter source, if the assembly that defines it is loaded or loadable; otherwise null.</summary>
    public Type? FormatterSourceType => Resolve(formatterSourceTypeName);

    /// <summary>Reports are pictures and tables: the kernel should prefer HTML over plain text.</summary>
    public string[] PreferredMimeTypes { get; } = ["text/html"];

    private static Type? Resolve(string assemblyQualifiedName)
    {
        var (typeName, assemblyName) = Split(assemblyQualifiedName);

        // Look among loaded assemblies first: a notebook kernel may load packages into a context that
        // name-based binding from this assembly would not search.
        foreach (Assembly assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (assembly.GetName().Name == assemblyName && assembly.GetType(typeName) is { } loaded)
            {
                return loaded;
            }
        }
        return Type.GetType(assemblyQualifiedName, throwOnError: false);
    }

    private static (string TypeName, string AssemblyName) Split(string assemblyQualifiedName)
    {
        int comma = assemblyQualifiedName.IndexOf(',', StringComparison.Ordinal);
        return (assemblyQualifiedName[..comma].Trim(), assemblyQualifiedName[(comma + 1)..].Trim());
    }
}
