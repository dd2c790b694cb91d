namespace Modular.Interactive.Notebook;

/// <summary>What a magic command shows: a rendering, or an escaped message saying what was wrong and what is valid.</summary>
public sealed record MagicCommandResult(string Html, bool Succeeded);
