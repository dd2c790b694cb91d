using System.Globalization;
using Modular.Tensors;

namespace Modular.Interactive.Tutorials;

/// <summary>
/// How a tutorial runs: full (the default: real sizes, several seeds) or quick (tiny sizes, one seed, for tests), and
/// where a script writes its report. A notebook reads it from the environment (<c>MODULAR_QUICK=1</c>), so quick mode
/// needs no edit of the notebook; a script reads the same variable and then its arguments: <c>--quick</c>,
/// <c>--seeds N</c>, <c>--report path</c>, <c>--device cpu|torch-cpu|cuda</c> (also <c>MODULAR_DEVICE</c>).
/// </summary>
public sealed record TutorialOptions
{
    /// <summary>The environment variable that selects quick mode: <c>1</c> or <c>true</c> for quick, <c>0</c>, <c>false</c> or empty for full.</summary>
    public const string QuickVariable = "MODULAR_QUICK";

    /// <summary>The environment variable that names the device, as <c>--device</c> does.</summary>
    public const string DeviceVariable = "MODULAR_DEVICE";

    /// <summary>
    /// Where the models train: <c>cpu</c> (Modular's CPU engine, the default), <c>torch-cpu</c> or <c>cuda</c>/<c>cuda:N</c>
    /// (libtorch through Modular.TorchSharp; the tutorial turns the name into a device with <c>Device.Named</c>).
    /// </summary>
    public string Device { get; init; } = "cpu";

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

    /// <summary>The options a notebook runs with: quick when <c>MODULAR_QUICK</c> is <c>1</c> or <c>true</c>, else full.</summary>
    public static TutorialOptions FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>Reads <c>MODULAR_QUICK</c> through <paramref name="variable"/>; a value other than 1/true/0/false/empty is an error naming the valid ones.</summary>
    internal static TutorialOptions FromEnvironment(Func<string, string?> variable)
    {
        string value = variable(QuickVariable)?.Trim() ?? "";
        bool quick = value.ToUpperInvariant() switch
        {
            "1" or "TRUE" => true,
            "" or "0" or "FALSE" => false,
            _ => throw new ConfigurationException($"{QuickVariable}='{value}' is not valid; set it to 1 (or true) for quick mode, or to 0 (or false, or unset it) for the full run."),
        };
        return new TutorialOptions { Quick = quick, Device = CheckDevice(variable(DeviceVariable) is { Length: > 0 } device ? device.Trim() : "cpu", DeviceVariable) };
    }

    /// <summary><paramref name="name"/> when it names a device (<see cref="DeviceName"/>), checked before anything loads libtorch.</summary>
    private static string CheckDevice(string name, string source)
    {
        _ = DeviceName.LibtorchDevice(name, source);
        return name;
    }

    /// <summary>
    /// Reads <c>--quick</c>, <c>--seeds N</c> and <c>--report path</c> on top of <see cref="FromEnvironment()"/>; unknown
    /// arguments are an error naming the valid ones.
    /// </summary>
    public static TutorialOptions FromArgs(IReadOnlyList<string> args) => FromArgs(args, FromEnvironment());

    /// <summary>Reads the arguments on top of <paramref name="defaults"/>.</summary>
    internal static TutorialOptions FromArgs(IReadOnlyList<string> args, TutorialOptions defaults)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = defaults;
        for (int i = 0; i < args.Count; i++)
        {
            options = args[i] switch
            {
                "--quick" => options with { Quick = true },
                "--seeds" when i + 1 < args.Count && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 1 => options with { Seeds = n },
                "--report" when i + 1 < args.Count => options with { ReportPath = args[i + 1] },
                "--device" when i + 1 < args.Count => options with { Device = CheckDevice(args[i + 1], "--device") },
                _ => throw new ConfigurationException($"Unknown or incomplete tutorial argument '{args[i]}'. Valid: --quick, --seeds N (N ≥ 1), --report path, --device cpu|torch-cpu|cuda (or {QuickVariable}=1, {DeviceVariable}=torch-cpu in the environment)."),
            };
            if (args[i] is "--seeds" or "--report" or "--device") i++;
        }
        return options;
    }
}
