using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Modular.Checkpoints;
using Modular.Computation;
using Modular.Tensors;
using Modular.Tests.Modular;
using Xunit.Abstractions;

namespace Modular.Tests.Checkpoints;

/// <summary>
/// A seeded property test over the three readers a user hands files to — the safetensors reader, the module-file
/// reader (<see cref="ModuleFiles.LoadModule"/>) and <see cref="PeftInterop.ImportPeft"/>: thousands of random
/// mutations of valid files (bit flips, truncation, header-length edits, and JSON-level edits of the headers and
/// configs: repeated keys, values of the wrong type, huge numbers, deep nesting). Every case must either load (and
/// then run a forward pass; a flipped exponent bit makes a finite but huge weight, so outputs may overflow) or fail with one of Modular's typed exceptions, within one second and
/// <see cref="AllocationBound"/> bytes. The counts by outcome are printed for the record.
/// </summary>
public sealed partial class HostileFileFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int MutationsPerReader = 2000;

    /// <summary>The most one case may allocate: the files are a few kB, so anything near this is a reader trusting a declared size.</summary>
    private const long AllocationBound = 16L << 20;

    private static readonly TimeSpan TimeBound = TimeSpan.FromSeconds(1);

    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    private sealed class Tally(string reader)
    {
        public readonly SortedDictionary<string, int> Outcomes = new(StringComparer.Ordinal);
        public long MostAllocated;
        public TimeSpan Slowest;
        public string SlowestCase = "";

        public void Count(string outcome) => Outcomes[outcome] = Outcomes.GetValueOrDefault(outcome) + 1;

        public override string ToString() =>
            $"{reader}: {Outcomes.Values.Sum()} mutations; {string.Join(", ", Outcomes.Select(o => $"{o.Key} {o.Value}"))}; slowest case {Slowest.TotalMilliseconds:F1} ms ({SlowestCase}), most allocated {MostAllocated / 1024.0:F0} kB";
    }

    /// <summary>Runs one case, counting its outcome, and fails the test on an untyped exception or a broken bound.</summary>
    private static void Run(Tally tally, int iteration, string mutation, Action load)
    {
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        string outcome;
        try
        {
            load();
            outcome = "loaded";
        }
        catch (ModularException e)
        {
            outcome = e.GetType().Name;
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            Assert.Fail($"Case {iteration} ({mutation}) threw {e.GetType().Name}, not one of Modular's typed exceptions: {e}");
            return;
        }
        clock.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Assert.True(clock.Elapsed < TimeBound, $"Case {iteration} ({mutation}) took {clock.Elapsed.TotalMilliseconds:F0} ms ({outcome}).");
        Assert.True(allocated < AllocationBound, $"Case {iteration} ({mutation}) allocated {allocated:N0} bytes ({outcome}).");
        tally.Count(outcome);
        tally.MostAllocated = Math.Max(tally.MostAllocated, allocated);
        if (clock.Elapsed > tally.Slowest) (tally.Slowest, tally.SlowestCase) = (clock.Elapsed, $"case {iteration}: {mutation}");
    }

    [Fact]
    public void Mutated_safetensors_module_files_and_peft_adapters_load_or_fail_with_typed_errors_quickly_and_in_bounded_memory()
    {
        var random = new Random(20261202);
        var tallies = new[] { SafeTensorsCases(random), ModuleFileCases(random), PeftCases(random) };
        foreach (var tally in tallies) output.WriteLine(tally.ToString());
        var all = tallies.SelectMany(t => t.Outcomes).GroupBy(o => o.Key).Select(g => $"{g.Key} {g.Sum(o => o.Value)}");
        output.WriteLine($"all: {tallies.Sum(t => t.Outcomes.Values.Sum())} mutations; {string.Join(", ", all)}");
        // A reader that accepted everything would not be checking anything.
        foreach (var tally in tallies) Assert.InRange(tally.Outcomes.GetValueOrDefault("loaded"), 0, MutationsPerReader * 3 / 4);
    }

    // ------------------------------------------------------------------ the three readers

    private static Tally SafeTensorsCases(Random random)
    {
        var tally = new Tally("safetensors");
        byte[][] seeds =
        [
            SafeTensorsBytes(new Dictionary<string, Tensor> { ["a.lora_A.weight"] = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3), ["a.lora_B.weight"] = Tensor.FromArray([-1f, -2f], 1, 2), ["empty"] = Tensor.Zeros(0) },
                new Dictionary<string, string> { ["format"] = "pt" }),
            File.ReadAllBytes(GoldenFiles.Path("safetensors", "reference_f32.safetensors")),
            File.ReadAllBytes(GoldenFiles.Path("safetensors", "reference_half.safetensors")),
        ];
        for (int i = 0; i < MutationsPerReader; i++)
        {
            var (bytes, mutation) = SafeTensorsMutations.Mutate(seeds[i % seeds.Length], random, nonFiniteData: true);
            Run(tally, i, mutation, () =>
            {
                using var scope = TensorScope.Begin();
                var file = SafeTensorsFile.Parse(bytes, "fuzzed.safetensors");
                foreach (var name in file.Names) Assert.Equal(file.Info(name).Shape.Elements, file.Get(name).Count);
            });
        }
        return tally;
    }

    private Tally ModuleFileCases(Random random)
    {
        var tally = new Tally("module files");
        string path = directory.File("module.safetensors");
        var source = Tiny.Classifier().WithModules()
            .Attach("layers.*.attention.query|value", new LoRA(rank: 2, alpha: 4, dropout: 0.1f), "lora")
            .Attach(new BottleneckAdapter(reduction: 4), "adapter")
            .Attach(new PromptTuning(tokens: 2), "prompt");
        foreach (var name in source.Modules.Keys) Tiny.Randomize(source, name);
        byte[][] seeds = [.. source.Modules.Keys.Select(name =>
        {
            source.SaveModule(name, path, "head");
            return File.ReadAllBytes(path);
        })];
        var model = Tiny.Classifier().WithModules();
        var (ids, mask, _, metadata) = Tiny.Data();
        // Each seed loads once untimed first, so the one-second bound measures the reader, not the JIT compiling it.
        foreach (var name in source.Modules.Keys)
        {
            source.SaveModule(name, path, "head");
            model.LoadModule(path);
            Tiny.Outputs(model, ids, mask, metadata);
            model.Remove(name);
        }
        for (int i = 0; i < MutationsPerReader; i++)
        {
            var (bytes, mutation) = random.Next(3) == 0 ? SafeTensorsMutations.Mutate(seeds[i % seeds.Length], random, nonFiniteData: true) : MutateMetadata(seeds[i % seeds.Length], random);
            File.WriteAllBytes(path, bytes);
            Run(tally, i, mutation, () =>
            {
                try
                {
                    model.LoadModule(path);
                    Assert.Equal(Tiny.Batch * 2, Tiny.Outputs(model, ids, mask, metadata).Length);
                }
                finally
                {
                    foreach (var name in model.Modules.Keys.ToList()) model.Remove(name);
                }
            });
        }
        return tally;
    }

    private Tally PeftCases(Random random)
    {
        var tally = new Tally("PEFT adapters");
        var source = Tiny.Classifier().WithModules().Attach("layers.*.attention.query|value", new LoRA(rank: 2, alpha: 4), "lora");
        Tiny.Randomize(source, "lora");
        source.ExportPeft("lora", directory.Path, baseModelName: "tiny", modulesToSave: ["head"], taskType: "SEQ_CLS");
        string configPath = Path.Combine(directory.Path, "adapter_config.json"), weightsPath = Path.Combine(directory.Path, "adapter_model.safetensors");
        string config = File.ReadAllText(configPath);
        byte[] weights = File.ReadAllBytes(weightsPath);
        var model = Tiny.Classifier().WithModules();
        var (ids, mask, _, _) = Tiny.Data();
        model.ImportPeft(directory.Path, "peft");   // untimed, as for module files
        Tiny.Outputs(model, ids, mask);
        model.Remove("peft");
        for (int i = 0; i < MutationsPerReader; i++)
        {
            string mutation;
            switch (random.Next(4))
            {
                case 0:
                    (var text, mutation) = MutateJson(config, random);
                    File.WriteAllText(configPath, text);
                    File.WriteAllBytes(weightsPath, weights);
                    break;
                case 1:
                    File.WriteAllText(configPath, config);
                    (var bytes, mutation) = SafeTensorsMutations.Mutate(weights, random, nonFiniteData: true);
                    File.WriteAllBytes(weightsPath, bytes);
                    break;
                case 2:
                    File.WriteAllText(configPath, config);
                    (bytes, mutation) = MutateHeaderJson(weights, random);
                    File.WriteAllBytes(weightsPath, bytes);
                    break;
                default:
                    var raw = Encoding.UTF8.GetBytes(config);
                    int flips = random.Next(1, 4);
                    for (int f = 0; f < flips; f++) raw[random.Next(raw.Length)] ^= (byte)(1 << random.Next(8));
                    File.WriteAllBytes(configPath, raw);
                    File.WriteAllBytes(weightsPath, weights);
                    mutation = $"{flips} bit flips in adapter_config.json";
                    break;
            }
            Run(tally, i, mutation, () =>
            {
                try
                {
                    model.ImportPeft(directory.Path, "peft");
                    Assert.Equal(Tiny.Batch * 2, Tiny.Outputs(model, ids, mask).Length);
                }
                finally
                {
                    foreach (var name in model.Modules.Keys.ToList()) model.Remove(name);
                }
            });
        }
        return tally;
    }

    // ------------------------------------------------------------------ mutations

    private static byte[] SafeTensorsBytes(IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var scope = TensorScope.Begin();
        using var stream = new MemoryStream();
        SafeTensorsFile.Write(stream, tensors, metadata);
        return stream.ToArray();
    }

    /// <summary>A JSON-level edit of the safetensors header itself, re-framed with a correct length.</summary>
    private static (byte[] Bytes, string Mutation) MutateHeaderJson(byte[] seed, Random random)
    {
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(seed);
        string header = Encoding.UTF8.GetString(seed, 8, headerLength).TrimEnd(' ');
        var (json, mutation) = MutateJson(header, random);
        var encoded = Encoding.UTF8.GetBytes(json);
        var framed = new byte[8 + encoded.Length + (seed.Length - 8 - headerLength)];
        BinaryPrimitives.WriteUInt64LittleEndian(framed, (ulong)encoded.Length);
        encoded.CopyTo(framed, 8);
        seed.AsSpan(8 + headerLength).CopyTo(framed.AsSpan(8 + encoded.Length));
        return (framed, $"safetensors header: {mutation}");
    }

    /// <summary>A JSON-level edit of one of a module file's metadata entries (the recipes, the base, the format), or of the safetensors header.</summary>
    private static (byte[] Bytes, string Mutation) MutateMetadata(byte[] seed, Random random)
    {
        if (random.Next(4) == 0) return MutateHeaderJson(seed, random);
        using var scope = TensorScope.Begin();
        var file = SafeTensorsFile.Parse(seed, "seed");
        var metadata = file.Metadata.ToDictionary();
        string key = metadata.Keys.Order(StringComparer.Ordinal).ElementAt(random.Next(metadata.Count));
        var (json, mutation) = MutateJson(metadata[key], random);
        metadata[key] = json;
        return (SafeTensorsBytes(file.Names.Select(n => KeyValuePair.Create(n, file.Get(n))), metadata), $"{key}: {mutation}");
    }

    [GeneratedRegex("\"([^\"\\\\]*)\":")]
    private static partial Regex Key();

    [GeneratedRegex(":(\"[^\"\\\\]*\"|-?[0-9][0-9.eE+-]*|true|false|null|\\[[^\\[\\]{}]*\\])")]
    private static partial Regex Value();

    private static readonly string[] Replacements =
    [
        "\"x\"", "\"\"", "0", "-1", "1.5", "2147483648", "-2147483649", "1e39", "-1e39", "1e400", "1e-400", "99999999999999999999999",
        "true", "null", "[]", "{}", "[1,2]", "[null]", "[\"a\",\"a\"]", "\"NaN\"", "\"Infinity\"", "\"LoRA\"", "\"\\ud800\"",
        new string('[', 2000) + new string(']', 2000),
        string.Concat(Enumerable.Repeat("{\"a\":", 2000)) + "0" + new string('}', 2000),
    ];

    /// <summary>Repeated keys, values of the wrong type, huge numbers, deep nesting, repeated array items, truncation and stray characters.</summary>
    private static (string Json, string Mutation) MutateJson(string json, Random random)
    {
        var keys = Key().Matches(json);
        var values = Value().Matches(json);
        switch (random.Next(6))
        {
            case 0 when keys.Count > 0:
                var key = keys[random.Next(keys.Count)];
                string duplicate = $"\"{key.Groups[1].Value}\":{Replacements[random.Next(Replacements.Length)]},";
                return (json.Insert(key.Index, duplicate), $"key '{key.Groups[1].Value}' repeated");
            case 1 or 2 when values.Count > 0:
                var value = values[random.Next(values.Count)];
                string replacement = Replacements[random.Next(Replacements.Length)];
                return (json[..(value.Index + 1)] + replacement + json[(value.Index + value.Length)..], $"value {value.Value[1..]} replaced by {(replacement.Length > 20 ? "deep nesting" : replacement)}");
            case 3 when values.Cast<Match>().FirstOrDefault(v => v.Value.StartsWith(":[\"", StringComparison.Ordinal)) is { } list:
                // an array item repeated, e.g. a host listed twice
                string items = list.Value[2..^1];
                string first = items.Split(',')[0];
                return (json[..(list.Index + 2)] + first + "," + items + "]" + json[(list.Index + list.Length)..], $"array item {first} repeated");
            case 4:
                int length = random.Next(json.Length);
                return (json[..length], $"JSON truncated to {length} characters");
            default:
                int at = random.Next(json.Length);
                char stray = "{}[],:\"\\0-e.x \u00e9"[random.Next(15)];
                return (json.Insert(at, stray.ToString()), $"'{stray}' inserted at {at}");
        }
    }
}
