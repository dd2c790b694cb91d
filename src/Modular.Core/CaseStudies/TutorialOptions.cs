using System.Globalization;

namespace Modular.CaseStudies;

/// <summary>
/// How a tutorial runs: full (the default: real sizes, several seeds) or quick (tiny sizes, one seed, for tests), and
/// where a script writes its report. Scripts read it from their arguments: <c>--quick</c>, <c>--seeds N</c>,
/// <c>--report path</c>.
/// </summary>
public sealed record TutorialOptions
{
    /// <summary>Tiny sizes and one seed, to check that the tutorial runs end to end.</summary>
    public bool Quick { get; init; }

    /// <summary>Number of seeds for results tables (mean ± standard deviation).</summary>
    public int Seeds { get; init; } = 3;

    /// <summary>Where a script writes its HTML report; null = the tutorial's default file name.</summary>
    public string? ReportPath { get; init; }

    /// <summary>The seeds to run: 0 .. Seeds − 1 (just 0 when quick).</summary>
    public IReadOnlyList<int> SeedList => Enumerable.Range(0, Quick ? 1 : Seeds).ToList();

    /// <summary><paramref name="full"/> normally, <paramref name="quick"/> in quick mode.</summary>
    public T Size<T>(T full, T quick) => Quick ? quick : full;

    /// <summary>Reads <c>--quick</c>, <c>--seeds N</c> and <c>--report path</c>; unknown arguments are an error naming the valid ones.</summary>
    public static TutorialOptions FromArgs(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new TutorialOptions();
        for (int i = 0; i < args.Count; i++)
        {
            options = args[i] switch
            {
                "--quick" => options with { Quick = true },
                "--seeds" when i + 1 < args.Count && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 1 => options with { Seeds = n },
                "--report" when i + 1 < args.Count => options with { ReportPath = args[i + 1] },
                _ => throw new ConfigurationException($"Unknown or incomplete tutorial argument '{args[i]}'. Valid: --quick, --seeds N (N ≥ 1), --report path."),
            };
            if (args[i] is "--seeds" or "--report") i++;
        }
        return options;
    }
}
