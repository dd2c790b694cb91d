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
    /// Writes <paramref name="tensors"/> as F32 to <paramref name="path"/> atomically: into a temporary file beside it,
    /// renamed over <paramref name="path"/> only once complete. See <see cref="Write(Stream, IEnumerable{KeyValuePair{string, Tensor}}, IReadOnlyDictionary{string, string}?)"/> for the layout.
    /// </summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        AtomicFile.Write(path, stream => Write(stream, tensors, metadata));

    /// <summary>
    /// Writes <paramref name="tensors"/> as F32 in the safetensors layout to <paramref name="destination"/>, byte for
    /// byte as the reference writer lays them out: tensors sorted by name (it sorts by descending dtype alignment,
    /// then name, and every tensor here is F32), a compact header padded with spaces to a multiple of 8 bytes so the
    /// data starts aligned. Metadata keys are sorted by code point (the reference writes them in hash order, so
    /// sorting is what makes the output deterministic); an empty map is left out.
    /// </summary>
    public static void Write(Stream destination, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(tensors);
        var entries = tensors.OrderBy(e => e.Key, JsonText.CodePointOrder).ToArray();
        for (int i = 0; i < entries.Length; i++)
        {
            var (name, tensor) = entries[i];
            ArgumentNullException.ThrowIfNull(tensor, $"tensor '{name}'");
            if (name == SafeTensorsHeader.MetadataKey)
                throw new ArgumentException($"'{SafeTensorsHeader.MetadataKey}' is reserved for the metadata map and cannot name a tensor.", nameof(tensors));
            if (i > 0 && name == entries[i - 1].Key)
                throw new ArgumentException($"Two tensors are named '{name}'; safetensors names must be unique.", nameof(tensors));
        }
        byte[] header = HeaderBytes(entries, metadata);

        Span<byte> headerLength = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(headerLength, (ulong)header.Length);
        destination.Write(headerLength);
        destination.Write(header);
        foreach (var (_, tensor) in entries) WriteLittleEndian(destination, tensor);
    }

    private static byte[] HeaderBytes(KeyValuePair<string, Tensor>[] entries, IReadOnlyDictionary<string, string>? metadata)
    {
        var members = new List<string>(entries.Length + 1);
        if (metadata is { Count: > 0 })
        {
            var pairs = metadata.OrderBy(m => m.Key, JsonText.CodePointOrder).Select(m =>
                $"{JsonText.Quote(m.Key, asciiOnly: false)}:{JsonText.Quote(m.Value ?? throw new ArgumentNullException(nameof(metadata), $"Metadata value of '{m.Key}' is null."), asciiOnly: false)}");
            members.Add($"\"{SafeTensorsHeader.MetadataKey}\":{{{string.Join(',', pairs)}}}");
        }
        long offset = 0;
        foreach (var (name, tensor) in entries)
        {
            long end = offset + 4L * tensor.Count;
            members.Add(string.Create(CultureInfo.InvariantCulture,
                $"{JsonText.Quote(name, asciiOnly: false)}:{{\"dtype\":\"{SafeTensorsDtype.F32.FileName()}\",\"shape\":[{string.Join(',', tensor.Shape)}],\"data_offsets\":[{offset},{end}]}}"));
            offset = end;
        }
        string json = $"{{{string.Join(',', members)}}}";

        // The strict encoder refuses names with unpaired surrogates instead of silently writing U+FFFD.
        int length = StrictUtf8.GetByteCount(json);
        var header = new byte[(length + 7) / 8 * 8];
        StrictUtf8.GetBytes(json, header);
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
