using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Modular.IO;
using Modular.Tensors;

namespace Modular.Checkpoints;

/// <summary>
/// Reads and writes the safetensors format (huggingface/safetensors): an 8-byte little-endian header length,
/// a JSON header mapping each tensor name to its dtype, shape and byte range plus an optional
/// <c>__metadata__</c> string map, then the raw little-endian tensor data.
/// </summary>
/// <example>
/// <code>
/// SafeTensorsFile.Write("lora.safetensors", new Dictionary&lt;string, Tensor&gt; { ["q.lora_A"] = a, ["q.lora_B"] = b },
///                       new Dictionary&lt;string, string&gt; { ["format"] = "pt" });
/// var file = SafeTensorsFile.Read("lora.safetensors");
/// Tensor a2 = file.Get("q.lora_A");
/// </code>
/// </example>
public static class SafeTensorsFile
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Reads and validates the file at <paramref name="path"/>. Throws <see cref="CheckpointFormatException"/>,
    /// naming the file and the problem, for anything the format does not allow.
    /// </summary>
    public static SafeTensors Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (stream.Length > Array.MaxLength)
            throw new CheckpointFormatException(
                $"'{path}' is {stream.Length} bytes; Modular reads safetensors files of up to {Array.MaxLength} bytes into memory. Save the checkpoint in several smaller files.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return Parse(bytes, path);
    }

    /// <summary>Validates a complete safetensors file already in memory; <paramref name="sourceName"/> names it in errors.</summary>
    public static SafeTensors Parse(ReadOnlyMemory<byte> bytes, string sourceName) => new(bytes, sourceName);

    /// <summary>
    /// Writes <paramref name="tensors"/> as F32 to <paramref name="path"/> atomically (temporary file, then rename).
    /// The bytes are deterministic: tensors sorted by name, metadata sorted by key.
    /// </summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var content = Serialize(tensors, metadata);
        AtomicFile.Write(path, content);
    }

    /// <summary>
    /// Validates the tensors and returns the action that writes them, in the safetensors layout, to a stream, so a
    /// caller can place the file in an atomic multi-file write. Tensors are sorted by name as the reference writer
    /// does (it sorts by descending dtype alignment, then name, and every tensor here is F32); the header is padded
    /// with spaces to a multiple of 8 bytes so the data starts aligned, as the reference writer does. Metadata keys
    /// are sorted by code point (the reference writes them in hash order); an empty map is omitted.
    /// </summary>
    public static Action<Stream> Serialize(IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var entries = tensors.OrderBy(e => e.Key, JsonText.CodePointOrder).ToArray();
        for (int i = 0; i < entries.Length; i++)
        {
            var (name, tensor) = entries[i];
            ArgumentNullException.ThrowIfNull(name, "tensor name");
            ArgumentNullException.ThrowIfNull(tensor, $"tensor '{name}'");
            if (name == SafeTensorsHeader.MetadataKey)
                throw new ArgumentException($"'{SafeTensorsHeader.MetadataKey}' is reserved for the metadata map and cannot name a tensor.", nameof(tensors));
            if (i > 0 && name == entries[i - 1].Key)
                throw new ArgumentException($"Two tensors are named '{name}'; safetensors names must be unique.", nameof(tensors));
        }
        byte[] header = HeaderBytes(entries, metadata);

        return stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var (_, tensor) in entries) WriteLittleEndian(stream, tensor);
        };
    }

    private static byte[] HeaderBytes(KeyValuePair<string, Tensor>[] entries, IReadOnlyDictionary<string, string>? metadata)
    {
        var json = new StringBuilder("{");
        if (metadata is { Count: > 0 })
        {
            json.Append($"\"{SafeTensorsHeader.MetadataKey}\":{{");
            bool first = true;
            foreach (var (key, value) in metadata.OrderBy(m => m.Key, JsonText.CodePointOrder))
            {
                if (!first) json.Append(',');
                JsonText.AppendString(json, key, asciiOnly: false);
                json.Append(':');
                JsonText.AppendString(json, value ?? throw new ArgumentNullException(nameof(metadata), $"Metadata value of '{key}' is null."), asciiOnly: false);
                first = false;
            }
            json.Append("},");
        }

        long offset = 0;
        foreach (var (name, tensor) in entries)
        {
            long bytes = 4L * tensor.Count;
            JsonText.AppendString(json, name, asciiOnly: false);
            json.Append(CultureInfo.InvariantCulture, $":{{\"dtype\":\"{SafeTensorsDtype.F32.FileName()}\",\"shape\":[{string.Join(',', tensor.Shape)}],\"data_offsets\":[{offset},{offset + bytes}]}},");
            offset += bytes;
        }
        if (json[^1] == ',') json.Length--;
        json.Append('}');

        // The strict encoder refuses names with unpaired surrogates instead of silently writing U+FFFD.
        int length = StrictUtf8.GetByteCount(json.ToString());
        var header = new byte[(length + 7) / 8 * 8];
        StrictUtf8.GetBytes(json.ToString(), header);
        header.AsSpan(length).Fill((byte)' ');
        return header;
    }

    private static void WriteLittleEndian(Stream stream, Tensor tensor)
    {
        float[] values = tensor.ToArray(); // dense row-major, whatever the tensor's strides
        if (!BitConverter.IsLittleEndian)
        {
            var words = MemoryMarshal.Cast<float, int>(values.AsSpan());
            BinaryPrimitives.ReverseEndianness(words, words);
        }
        stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }
}
