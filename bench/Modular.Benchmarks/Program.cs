using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json.Nodes;
using Modular.Benchmarks;
using Modular.Tensors;
using Modular.Tensors.Kernels;
using Modular.TorchSharp;

// Runs the PyTorch anchor's cases (shared/bench/torch_ref.py) on Modular and prints one JSON line per measurement,
// with the anchor's case names and fields, so that bench/compare.sh can put the two side by side.
BenchmarkOptions options;
try
{
    options = BenchmarkOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
#if DEBUG
Console.Error.WriteLine("warning: this is a Debug build; build with -c Release for meaningful figures.");
#endif

Device device;
try
{
    device = Device.Named(options.Device);
}
catch (Modular.ModularException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
IBenchmarkCase[] available = [new GemmCase(), new ClassifierCase("lora", device), new ClassifierCase("full", device), new ClassifierCase("adapter", device), new MoeCase(device)];
var selected = new List<IBenchmarkCase>();
foreach (string name in options.Cases)
{
    var found = available.FirstOrDefault(c => c.Name == name);
    if (found is null) Console.Error.WriteLine($"warning: no case '{name}' in this benchmark (available: {string.Join(", ", available.Select(c => c.Name))}); skipped.");
    else selected.Add(found);
}

static void Report(JsonObject line) => Console.WriteLine(line.ToJsonString());

Report(new JsonObject
{
    ["case"] = "env",
    ["dotnet"] = RuntimeInformation.FrameworkDescription,
    ["os"] = RuntimeInformation.OSDescription,
    ["cpu_count"] = Environment.ProcessorCount,
    ["vector512"] = Vector512.IsHardwareAccelerated,
    ["quick"] = options.Quick,
    ["device"] = device.Name,
    // bench/compare.sh turns the runtime's tiered compilation off (DOTNET_TieredCompilation=0) for every .NET contestant
    ["tiered_compilation"] = Environment.GetEnvironmentVariable("DOTNET_TieredCompilation") != "0",
});
var protocol = options.Quick ? TimingProtocol.Quick : TimingProtocol.Standard;
var wall = Stopwatch.StartNew();
foreach (var benchmark in selected)
{
    foreach (int threads in options.Threads)
    {
        ComputeThreads.Count = threads;
        if (!device.IsHost) TorchSharp.torch.set_num_threads(threads); // libtorch's own intra-op pool
        benchmark.Run(threads, protocol, Report);
    }
}
Report(new JsonObject { ["case"] = "done", ["wall_s"] = Math.Round(wall.Elapsed.TotalSeconds, 1) });
return 0;
