using System.Text.Json;
using Modular.Tensors;

namespace Modular.Tests.Support;

/// <summary>
/// One JSON fixture written by tests/golden/generate_nn.py (PyTorch 1.13): objects whose tensors are stored as
/// <c>{"shape": [...], "data": [...]}</c>. The files are copied next to the test assembly under golden/.
/// </summary>
internal sealed class NnFixture
{
    private readonly JsonElement element;

    private NnFixture(JsonElement element) => this.element = element;

    /// <summary>Reads a fixture file (e.g. <c>nn-layers.json</c>).</summary>
    public static NnFixture Load(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "golden", fileName);
        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream);
        return new NnFixture(document.RootElement.Clone());
    }

    /// <summary>
    /// The entry under <paramref name="key"/>; '/' separates levels (<c>cases/linear</c>), since names such as
    /// <c>layers.0.q.weight</c> contain dots.
    /// </summary>
    public NnFixture this[string key] => new(Resolve(key));

    /// <summary>The elements of the array under <paramref name="key"/>.</summary>
    public IEnumerable<NnFixture> Items(string key) => Resolve(key).EnumerateArray().Select(e => new NnFixture(e));

    /// <summary>The names of the entries of the object under <paramref name="key"/> ("" for this object).</summary>
    public IEnumerable<string> Keys(string key) => Resolve(key).EnumerateObject().Select(p => p.Name);

    /// <summary>True for a JSON null (an absent setting).</summary>
    public bool IsNull => element.ValueKind == JsonValueKind.Null;

    /// <summary>Whether this object has an entry <paramref name="key"/>.</summary>
    public bool Has(string key) => element.TryGetProperty(key, out _);

    /// <summary>The number under <paramref name="key"/>.</summary>
    public double Number(string key) => Resolve(key).GetDouble();

    /// <summary>The integer under <paramref name="key"/>.</summary>
    public int Int(string key) => Resolve(key).GetInt32();

    /// <summary>The boolean under <paramref name="key"/>.</summary>
    public bool Flag(string key) => Resolve(key).GetBoolean();

    /// <summary>The string under <paramref name="key"/>.</summary>
    public string Text(string key) => Resolve(key).GetString()!;

    /// <summary>The float tensor under <paramref name="key"/>, or this element itself for an empty key.</summary>
    public Tensor Tensor(string key = "")
    {
        var e = Resolve(key);
        var data = e.GetProperty("data").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        return global::Modular.Tensors.Tensor.FromArray(data, Shape(e));
    }

    /// <summary>The integer tensor under <paramref name="key"/>.</summary>
    public IntTensor Ints(string key)
    {
        var e = Resolve(key);
        var data = e.GetProperty("data").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        return IntTensor.FromArray(data, Shape(e));
    }

    /// <summary>
    /// The tensors of the object under <paramref name="key"/> (a PyTorch state dict), keyed by Modular path through
    /// <paramref name="names"/>: the input for <see cref="NN.Module.LoadState"/>.
    /// </summary>
    public Dictionary<string, Tensor> State(string key, TorchStateNames names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return Resolve(key).EnumerateObject().ToDictionary(p => names.ToModular(p.Name), p => new NnFixture(p.Value).Tensor(), StringComparer.Ordinal);
    }

    private static int[] Shape(JsonElement tensor) => tensor.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private JsonElement Resolve(string key)
    {
        var e = element;
        if (key.Length == 0) return e;
        foreach (var part in key.Split('/'))
            if (!e.TryGetProperty(part, out e)) throw new KeyNotFoundException($"Fixture has no entry '{part}' on the way to '{key}'; regenerate it with tests/golden/generate_nn.py.");
        return e;
    }
}
