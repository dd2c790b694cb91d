using System.Text;
using Modular.Interactive.Rendering;

namespace Modular.Interactive.Notebook;

/// <summary>
/// A notebook magic command (<c>#!name ...</c>) as plain C#: it declares its parameters, parses the argument text
/// or the values the kernel bound, looks up notebook variables through a delegate, and returns HTML. Mistakes in the
/// arguments, or errors Modular reports about the data, come back as a message listing the valid usage; never as a stack trace.
/// </summary>
public abstract class MagicCommand
{
    /// <summary>The command as typed, e.g. <c>#!routing-heatmap</c>.</summary>
    public abstract string Name { get; }

    /// <summary>One sentence for hover help.</summary>
    public abstract string Description { get; }

    /// <summary>The parameters it accepts; at most one is implicit.</summary>
    public abstract IReadOnlyList<MagicParameter> Parameters { get; }

    /// <summary>Runs with the text after the command name, e.g. <c>model --layer 3 --normalize rows</c>; quotes group words.</summary>
    public MagicCommandResult Run(string argumentText, Func<string, object?> lookup)
    {
        ArgumentNullException.ThrowIfNull(argumentText);
        ArgumentNullException.ThrowIfNull(lookup);
        try
        {
            return Succeed(Parse(argumentText), lookup);
        }
        catch (ModularException e)
        {
            return Fail(e.Message);
        }
    }

    /// <summary>Runs with values the kernel already bound, keyed by parameter name (<c>--layer</c>); null or absent means not given.</summary>
    public MagicCommandResult Run(IReadOnlyDictionary<string, string?> arguments, Func<string, object?> lookup)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(lookup);
        try
        {
            var given = new Dictionary<string, string>();
            foreach (var (name, value) in arguments)
            {
                if (value is not null) given[Known(name).Name] = value;
            }
            return Succeed(given, lookup);
        }
        catch (ModularException e)
        {
            return Fail(e.Message);
        }
    }

    /// <summary>The usage text: a synopsis, then each parameter with its description and choices.</summary>
    public string Usage
    {
        get
        {
            var usage = new StringBuilder(Name);
            foreach (var p in Parameters)
            {
                usage.Append(p.IsImplicit ? $" <{p.Name.TrimStart('-')}>" : $" [{p.Name} <value>]");
            }
            foreach (var p in Parameters)
            {
                usage.Append("\n  ").Append(p.IsImplicit ? $"<{p.Name.TrimStart('-')}>" : p.Name).Append(": ").Append(p.Description);
                if (p.AllowedValues is { } allowed) usage.Append(" (one of: ").AppendJoin(", ", allowed).Append(')');
            }
            return usage.ToString();
        }
    }

    /// <summary>Does the work with validated arguments and returns the HTML to show.</summary>
    protected abstract string Execute(MagicArguments arguments);

    private MagicCommandResult Succeed(Dictionary<string, string> given, Func<string, object?> lookup) =>
        new(Execute(new MagicArguments(given, lookup)), Succeeded: true);

    private MagicCommandResult Fail(string problem) => new(string.Create(Markup.Invariant,
        $"<div class=\"modular-message\" style=\"font-family:{Markup.FontFamily};font-size:13px;color:{Markup.TextColor};border-left:3px solid #c5221f;background:#fce8e6;padding:8px 12px;max-width:760px\">" +
        $"<b>{Markup.Escape(Name)}</b>: {Markup.Escape(problem)}<pre style=\"margin:6px 0 0 0;white-space:pre-wrap;font-size:12px\">{Markup.Escape(Usage)}</pre></div>"), Succeeded: false);

    private MagicParameter Known(string name) =>
        Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ConfigurationException($"Unknown parameter {name}; valid parameters: {string.Join(", ", Parameters.Select(p => p.Name))}.");

    private Dictionary<string, string> Parse(string text)
    {
        var given = new Dictionary<string, string>();
        var bare = new List<string>();
        var tokens = Tokenize(text);
        for (int i = 0; i < tokens.Count; i++)
        {
            if (!tokens[i].StartsWith("--", StringComparison.Ordinal))
            {
                bare.Add(tokens[i]);
                continue;
            }
            var parameter = Known(tokens[i]);
            if (i + 1 >= tokens.Count || tokens[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ConfigurationException($"{parameter.Name} needs a value: {parameter.Description}.");
            }
            if (!given.TryAdd(parameter.Name, tokens[++i])) throw new ConfigurationException($"{parameter.Name} is given twice; give it once.");
        }
        if (bare.Count > 0)
        {
            var implicitParameter = Parameters.FirstOrDefault(p => p.IsImplicit)
                ?? throw new ConfigurationException($"Unexpected '{bare[0]}'; {Name} takes only named parameters: {string.Join(", ", Parameters.Select(p => p.Name))}.");
            if (!given.TryAdd(implicitParameter.Name, string.Join(' ', bare)))
            {
                throw new ConfigurationException($"{implicitParameter.Name} is given twice; give it once.");
            }
        }
        return given;
    }

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        bool quoted = false, any = false;
        foreach (char ch in text)
        {
            if (ch == '"')
            {
                quoted = !quoted;
                any = true;
            }
            else if (char.IsWhiteSpace(ch) && !quoted)
            {
                if (any) tokens.Add(current.ToString());
                current.Clear();
                any = false;
            }
            else
            {
                current.Append(ch);
                any = true;
            }
        }
        if (quoted) throw new ConfigurationException("A quote is not closed; close it with a second \".");
        if (any) tokens.Add(current.ToString());
        return tokens;
    }
}
