using System.Text.Json;
using Modular.Tensors;

namespace Modular.Tests.Golden;

/// <summary>A float array with its shape, as recorded by tests/golden/generate_ops.py.</summary>
internal sealed record GoldenArray(int[] Shape, float[] Data)
{
    /// <summary>A new tensor holding the values (an empty shape gives a scalar), on <paramref name="device"/> (the CPU engine when null).</summary>
    public Tensor ToTensor(Device? device = null) => Tensor.FromArray(Data, Shape, device ?? Device.Cpu);
}

/// <summary>One PyTorch run of an operation: its inputs, outputs, the projections R of the outputs, and the input gradients of Σ R ⊙ output.</summary>
internal sealed record GoldenCase(
    string Name,
    IReadOnlyDictionary<string, GoldenArray> Inputs,
    IReadOnlyDictionary<string, GoldenArray> Constants,
    IReadOnlyDictionary<string, IntTensor> Indices,
    IReadOnlyList<GoldenArray> Outputs,
    IReadOnlyList<GoldenArray> Projections,
    IReadOnlyDictionary<string, GoldenArray> Gradients);

/// <summary>The golden cases of every ops-*.json fixture under golden/fixtures (copied next to the test assembly), by name.</summary>
internal static class GoldenFixtures
{
    private static readonly Lazy<IReadOnlyDictionary<string, GoldenCase>> All = new(Load);

    /// <summary>Every recorded case, by its unique name.</summary>
    public static IReadOnlyDictionary<string, GoldenCase> Cases => All.Value;

    private static Dictionary<string, GoldenCase> Load()
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "golden", "fixtures");
        var cases = new Dictionary<string, GoldenCase>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(directory, "ops-*.json"))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var element in document.RootElement.GetProperty("cases").EnumerateArray())
            {
                var golden = Case(element);
                if (!cases.TryAdd(golden.Name, golden)) throw new InvalidDataException($"{file}: case '{golden.Name}' is recorded twice.");
            }
        }
        if (cases.Count == 0) throw new InvalidDataException($"No golden cases under {directory}; run tests/golden/generate_ops.py.");
        return cases;
    }

    private static GoldenCase Case(JsonElement e) => new(
        e.GetProperty("name").GetString()!,
        Arrays(e, "inputs"),
        Arrays(e, "constants"),
        e.TryGetProperty("indices", out var indices)
            ? indices.EnumerateObject().ToDictionary(p => p.Name, p => IntTensor.FromArray(Data(p.Value, v => v.GetInt32()), Shape(p.Value)))
            : [],
        e.GetProperty("outputs").EnumerateArray().Select(Array).ToList(),
        e.TryGetProperty("projections", out var projections) ? projections.EnumerateArray().Select(Array).ToList() : [],
        Arrays(e, "gradients"));

    private static Dictionary<string, GoldenArray> Arrays(JsonElement e, string property) =>
        e.TryGetProperty(property, out var arrays) ? arrays.EnumerateObject().ToDictionary(p => p.Name, p => Array(p.Value)) : [];

    private static GoldenArray Array(JsonElement e) => new(Shape(e), Data(e, v => v.GetSingle()));

    private static int[] Shape(JsonElement e) => e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private static T[] Data<T>(JsonElement e, Func<JsonElement, T> read) => e.GetProperty("data").EnumerateArray().Select(read).ToArray();
}
