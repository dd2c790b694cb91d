namespace Modular.Benchmarks;

/// <summary>
/// Command line: <c>--cases gemm,lora,full,adapter,moe</c>, <c>--threads 1,2</c>, <c>--quick</c>, <c>--device cpu|torch-cpu|cuda</c>
/// (the CPU engine, the libtorch backend on libtorch's CPU, or on CUDA device 0).
/// </summary>
internal sealed record BenchmarkOptions(IReadOnlyList<string> Cases, IReadOnlyList<int> Threads, bool Quick, string Device = "cpu")
{
    public const string Usage = "usage: Modular.Benchmarks [--cases gemm,lora,full,adapter,moe] [--threads 1,2] [--quick] [--device cpu|torch-cpu|cuda[:N]]";

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with the reason and the usage line when they are wrong.</summary>
    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new BenchmarkOptions(["gemm", "lora", "full", "adapter", "moe"], [1, 2], Quick: false);
        for (int i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
            options = args[i] switch
            {
                "--cases" => options with { Cases = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "--threads" => options with { Threads = Value().Split(',').Select(ParseThreads).ToArray() },
                "--quick" => options with { Quick = true },
                "--device" => options with { Device = CheckDevice(Value()) },
                _ => throw new ArgumentException($"unknown option '{args[i]}'.\n{Usage}"),
            };
        }
        return options;
    }

    /// <summary>A device name by <see cref="Modular.Tensors.DeviceName"/>'s grammar (cpu, torch-cpu, cuda, cuda:N).</summary>
    private static string CheckDevice(string name)
    {
        try
        {
            _ = Modular.Tensors.DeviceName.LibtorchDevice(name, "--device");
            return name;
        }
        catch (Modular.ConfigurationException e)
        {
            throw new ArgumentException($"{e.Message}\n{Usage}", e);
        }
    }

    private static int ParseThreads(string text) =>
        int.TryParse(text, out int threads) && threads >= 1 && threads <= Environment.ProcessorCount
            ? threads
            : throw new ArgumentException($"--threads: '{text}' is not a thread count between 1 and {Environment.ProcessorCount} (this machine's cores).\n{Usage}");
}
