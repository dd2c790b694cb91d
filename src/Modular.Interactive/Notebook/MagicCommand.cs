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

    /// <summary>
    /// Runs as the kernel invoked it: reads this command's line from <paramref name="cellCode"/>, the code of the
    /// submitted cell, and parses it like <see cref="Run(string, Func{string, object?})"/>. The kernel's own binding drops
    /// what it cannot bind (a second bare word, a flag without a value) without a word, so Modular parses the text
    /// itself. A cell may hold the command several times: <paramref name="submission"/> (the submitted command) tells
    /// them apart, the n-th invocation for one submission reading the n-th line.
    /// </summary>
    public MagicCommandResult RunInCell(object? submission, string? cellCode, Func<string, object?> lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        return CellDirectives.NextArguments(submission, cellCode, Name) is { } arguments
            ? Run(arguments, lookup)
            : Fail($"the kernel ran {Name} but its line was not found in the submitted cell; put the command on a line of its own, starting with {Name}.");
    }

    /// <summary>The usage text: a synopsis, then each parameter with its description and choices.</summary>
    public string Usage
    {
        get
        {
            var usage = new StringBuilder(Name);
            foreach (var p in Parameters)
            {
                usage.Append(p.IsImplicit ? $" <{p.Name.TrimStart('-')}>{(p.IsList ? "..." : "")}" : $" [{p.Name} <value>]");
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
        ?? throw new ConfigurationException($"Unknown parameter {name}; valid parameters: {string.Join(", ", Parameters.Where(p => !p.IsImplicit).Select(p => p.Name))}.");

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
                ?? throw new ConfigurationException($"Unexpected '{bare[0]}'; {Name} takes only named parameters: {string.Join(", ", Parameters.Select(p => p.Name))}{Hint(bare[0])}.");
            if (bare.Count > 1 && !implicitParameter.IsList)
            {
                throw new ConfigurationException($"{Name} takes one {implicitParameter.Name.TrimStart('-')}, not {bare.Count} ('{string.Join("', '", bare)}'); give one variable name.");
            }
            if (!given.TryAdd(implicitParameter.Name, string.Join(' ', bare)))
            {
                throw new ConfigurationException($"{implicitParameter.Name} is given twice; give it once.");
            }
        }
        return given;
    }

    /// <summary>For a bare word that is the value of a named parameter (<c>off</c> for <c>--progress</c>): "; did you mean --progress off?".</summary>
    private string Hint(string word) =>
        Parameters.FirstOrDefault(p => p.AllowedValues?.Contains(word, StringComparer.OrdinalIgnoreCase) == true) is { } parameter
            ? $"; did you mean {parameter.Name} {word}?"
            : "";

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
