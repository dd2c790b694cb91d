using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Unicode;
using Modular.Tensors;

namespace Modular.Checkpoints;

/// <summary>
/// The parsed and validated header of a safetensors file. Validation follows the reference implementation
/// (huggingface/safetensors): the header length is bounded, the JSON is an object of tensor entries plus an
/// optional <c>__metadata__</c> string map, and the tensors' byte ranges, sorted by offset, must tile the data
/// section exactly — no overlap, no gap, nothing missing or left over. Every size is checked against the file
/// before anything is allocated from it.
/// </summary>
internal sealed class SafeTensorsHeader
{
    /// <summary>The reference implementation's limit on the JSON header.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>The header key reserved for the string-to-string metadata map.</summary>
    public const string MetadataKey = "__metadata__";

    private readonly string source;

    private SafeTensorsHeader(string source) => this.source = source;

    /// <summary>The tensors in data order (by offset).</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; private set; } = [];

    /// <summary>The <c>__metadata__</c> map; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; private set; } = new Dictionary<string, string>();

    /// <summary>Byte position in the file where the data section starts (8 + header length).</summary>
    public int DataStart { get; private set; }

    /// <summary>Parses and validates the header of the complete file <paramref name="file"/>; <paramref name="source"/> names it in errors.</summary>
    public static SafeTensorsHeader Parse(ReadOnlyMemory<byte> file, string source)
    {
        var header = new SafeTensorsHeader(source);
        header.Read(file);
        return header;
    }

    private void Read(ReadOnlyMemory<byte> file)
    {
        if (file.Length < 8)
            throw Invalid($"it is {file.Length} bytes long, shorter than the 8-byte header length that starts every safetensors file");

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file.Span);
        if (headerLength > MaxHeaderBytes)
            throw Invalid($"the header length field says {headerLength} bytes, above the {MaxHeaderBytes}-byte limit of the format; the file is corrupt or not a safetensors file");
        if (headerLength > (ulong)(file.Length - 8))
            throw Invalid($"the header length field says {headerLength} bytes but only {file.Length - 8} bytes follow it; the file is truncated or not a safetensors file");

        DataStart = 8 + (int)headerLength;
        var json = file.Slice(8, (int)headerLength);
        long dataLength = file.Length - DataStart;

        // Checked up front because System.Text.Json reports some invalid UTF-8 only when a string is materialised.
        if (!Utf8.IsValid(json.Span)) throw Invalid("the header is not valid UTF-8 text");
        using var document = ParseJson(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
            throw Invalid($"the header must be a JSON object mapping tensor names to entries, but it is {JsonText.Describe(document.RootElement)}");

        var tensors = new List<SafeTensorInfo>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            string name = PropertyName(property);
            if (!seen.Add(name)) throw Invalid($"the header lists '{name}' twice");
            if (name == MetadataKey) Metadata = ReadMetadata(property.Value);
            else tensors.Add(ReadEntry(name, property.Value, dataLength));
        }

        tensors.Sort(ByDataOrder);
        CheckTiling(tensors, dataLength);
        Tensors = tensors;
    }

    // Offsets first, as the reference orders them; names break ties between empty tensors so the order is stable.
    private static int ByDataOrder(SafeTensorInfo a, SafeTensorInfo b)
    {
        int byBegin = a.DataBegin.CompareTo(b.DataBegin);
        if (byBegin != 0) return byBegin;
        int byEnd = a.DataEnd.CompareTo(b.DataEnd);
        return byEnd != 0 ? byEnd : string.CompareOrdinal(a.Name, b.Name);
    }

    private JsonDocument ParseJson(ReadOnlyMemory<byte> json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(Message($"the header is not valid JSON ({e.Message})"), e);
        }
    }

    private string PropertyName(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException e)
        {
            // A \uD800-style escape for half a surrogate pair is well-formed JSON but names no Unicode string.
            throw new CheckpointFormatException(Message("a key in the header escapes an unpaired UTF-16 surrogate"), e);
        }
    }

    private Dictionary<string, string> ReadMetadata(JsonElement element)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (element.ValueKind == JsonValueKind.Null) return metadata;
        if (element.ValueKind != JsonValueKind.Object)
            throw Invalid($"'{MetadataKey}' must be an object of string values, but it is {JsonText.Describe(element)}");
        foreach (var property in element.EnumerateObject())
        {
            string key = PropertyName(property);
            if (property.Value.ValueKind != JsonValueKind.String)
                throw Invalid($"'{MetadataKey}' entry '{key}' must be a string, but it is {JsonText.Describe(property.Value)}");
            if (!metadata.TryAdd(key, StringValue(property.Value)))
                throw Invalid($"'{MetadataKey}' lists '{key}' twice");
        }
        return metadata;
    }

    private string StringValue(JsonElement element)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw new CheckpointFormatException(Message("a string in the header escapes an unpaired UTF-16 surrogate"), e);
        }
    }

    private SafeTensorInfo ReadEntry(string name, JsonElement entry, long dataLength)
    {
        if (entry.ValueKind != JsonValueKind.Object)
            throw Invalid($"the entry of tensor '{name}' must be an object with dtype, shape and data_offsets, but it is {JsonText.Describe(entry)}");

        JsonElement? dtypeField = null, shapeField = null, offsetsField = null;
        foreach (var field in entry.EnumerateObject())
        {
            // Unknown fields are ignored, as the reference implementation does.
            switch (PropertyName(field))
            {
                case "dtype": dtypeField = Once(dtypeField, field.Value, name, "dtype"); break;
                case "shape": shapeField = Once(shapeField, field.Value, name, "shape"); break;
                case "data_offsets": offsetsField = Once(offsetsField, field.Value, name, "data_offsets"); break;
            }
        }

        var dtype = ReadDtype(name, dtypeField ?? throw Missing(name, "dtype"));
        var shape = ReadShape(name, shapeField ?? throw Missing(name, "shape"));
        var (begin, end) = ReadOffsets(name, offsetsField ?? throw Missing(name, "data_offsets"), dataLength);

        long expectedBytes = ByteSize(shape, dtype.ElementSize());
        if (expectedBytes != end - begin)
            throw Invalid($"tensor '{name}' has shape {TensorShape.Format(shape)} of {dtype.FileName()}, which needs {DescribeBytes(expectedBytes)}, but its data_offsets [{begin}, {end}] span {end - begin} bytes");
        return new SafeTensorInfo(name, dtype, TensorShape.Of(shape), begin, end);
    }

    private JsonElement Once(JsonElement? previous, JsonElement value, string tensor, string field) =>
        previous is null ? value : throw Invalid($"the entry of tensor '{tensor}' lists '{field}' twice");

    private CheckpointFormatException Missing(string tensor, string field) =>
        Invalid($"the entry of tensor '{tensor}' has no '{field}' field");

    private SafeTensorsDtype ReadDtype(string tensor, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.String)
            throw Invalid($"the dtype of tensor '{tensor}' must be a string such as \"F32\", but it is {JsonText.Describe(element)}");
        string name = StringValue(element);
        if (!SafeTensorsDtypes.TryParse(name, out var dtype))
            throw Invalid($"tensor '{tensor}' has the unknown dtype \"{name}\"; the format defines {SafeTensorsDtypes.AllNames}");
        return dtype;
    }

    private int[] ReadShape(string tensor, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Array)
            throw Invalid($"the shape of tensor '{tensor}' must be an array of non-negative integers, but it is {JsonText.Describe(element)}");
        var dims = new int[element.GetArrayLength()];
        int i = 0;
        foreach (var dim in element.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt32(out dims[i]) || dims[i] < 0)
                throw Invalid($"dimension {i} of the shape of tensor '{tensor}' must be an integer from 0 to {int.MaxValue}, but it is {JsonText.Describe(dim)}");
            i++;
        }
        return dims;
    }

    private (long Begin, long End) ReadOffsets(string tensor, JsonElement element, long dataLength)
    {
        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() != 2)
            throw Invalid($"the data_offsets of tensor '{tensor}' must be an array [begin, end] of two byte offsets, but it is {JsonText.Describe(element)}");
        var bounds = new ulong[2];
        int i = 0;
        foreach (var bound in element.EnumerateArray())
        {
            if (bound.ValueKind != JsonValueKind.Number || !bound.TryGetUInt64(out bounds[i]))
                throw Invalid($"the data_offsets of tensor '{tensor}' must be non-negative integers, but one is {JsonText.Describe(bound)}");
            i++;
        }
        if (bounds[1] < bounds[0])
            throw Invalid($"the data_offsets [{bounds[0]}, {bounds[1]}] of tensor '{tensor}' end before they begin");
        if (bounds[1] > (ulong)dataLength)
            throw Invalid($"the data_offsets [{bounds[0]}, {bounds[1]}] of tensor '{tensor}' reach past the end of the data section ({dataLength} bytes); the file is truncated or its header is wrong");
        return ((long)bounds[0], (long)bounds[1]);
    }

    /// <summary>Bytes a tensor of this shape needs, or -1 when that overflows (a shape no file could hold).</summary>
    private static long ByteSize(int[] dims, int elementSize)
    {
        long bytes = elementSize;
        foreach (int d in dims)
        {
            if (d != 0 && bytes > long.MaxValue / d) return -1;
            bytes *= d;
        }
        return bytes;
    }

    private void CheckTiling(List<SafeTensorInfo> tensors, long dataLength)
    {
        long covered = 0;
        SafeTensorInfo? previous = null;
        foreach (var t in tensors)
        {
            if (t.DataBegin < covered)
                throw Invalid($"tensor '{t.Name}' at bytes [{t.DataBegin}, {t.DataEnd}] overlaps tensor '{previous!.Name}' at [{previous.DataBegin}, {previous.DataEnd}]");
            if (t.DataBegin > covered)
                throw Invalid($"bytes [{covered}, {t.DataBegin}) of the data section belong to no tensor (before '{t.Name}'); the format requires the tensors to cover the data without gaps");
            covered = t.DataEnd;
            previous = t;
        }
        if (covered != dataLength)
            throw Invalid($"the data section holds {dataLength} bytes but the tensors cover only the first {covered}; the file has trailing bytes or its header is wrong");
    }

    private static string DescribeBytes(long bytes) => bytes < 0 ? "more bytes than a file can hold" : $"{bytes} bytes";

    private string Message(string problem) =>
        $"'{source}' is not a valid safetensors file: {problem}.";

    private CheckpointFormatException Invalid(string problem) => new(Message(problem));
}
