using System.Buffers.Binary;
using System.Text;
using Modular.Checkpoints;

namespace Modular.Tests.Checkpoints;

public class SafeTensorsMalformedFileTests
{
    private const string Source = "bad.safetensors";

    /// <summary>A file with the given header text, <paramref name="dataBytes"/> zero bytes of data, and a length field that may lie.</summary>
    private static byte[] FileWith(string header, int dataBytes = 0, ulong? declaredHeaderLength = null) =>
        FileWith(Encoding.UTF8.GetBytes(header), dataBytes, declaredHeaderLength);

    private static byte[] FileWith(byte[] header, int dataBytes = 0, ulong? declaredHeaderLength = null)
    {
        var bytes = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredHeaderLength ?? (ulong)header.Length);
        header.CopyTo(bytes, 8);
        return bytes;
    }

    private static string Entry(string dtype = "\"F32\"", string shape = "[1]", string offsets = "[0,4]") =>
        $$"""{"dtype":{{dtype}},"shape":{{shape}},"data_offsets":{{offsets}}}""";

    public static TheoryData<string, byte[], string> MalformedFiles => new()
    {
        { "shorter than the length field", new byte[5], "shorter than the 8-byte header length" },
        { "header length above the 100 MB limit", FileWith("{}", declaredHeaderLength: 100_000_001), "above the 100000000-byte limit" },
        { "header length of 2^64 - 1", FileWith("{}", declaredHeaderLength: ulong.MaxValue), "above the 100000000-byte limit" },
        { "header length beyond the end of the file", FileWith("{}", declaredHeaderLength: 64), "only 2 bytes follow" },
        { "header that is not UTF-8", FileWith([(byte)'{', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)':', (byte)'1', (byte)'}']), "not valid UTF-8" },
        { "header that is not JSON", FileWith("{\"a\":"), "not valid JSON" },
        { "empty header", FileWith(""), "not valid JSON" },
        { "header nested deeper than JSON parsers allow", FileWith("{\"__metadata__\":" + new string('[', 100) + new string(']', 100) + "}"), "not valid JSON" },
        { "header that is an array", FileWith("[]"), "must be a JSON object" },
        { "entry that is not an object", FileWith("{\"a\":[1]}"), "entry of tensor 'a' must be an object" },
        { "entry without dtype", FileWith("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "has no 'dtype' field" },
        { "entry without shape", FileWith("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4), "has no 'shape' field" },
        { "entry without data_offsets", FileWith("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "has no 'data_offsets' field" },
        { "entry listing a field twice", FileWith("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "lists 'dtype' twice" },
        { "dtype that is not a string", FileWith($"{{\"a\":{Entry(dtype: "32")}}}", 4), "must be a string such as \"F32\", but it is the number 32" },
        { "unknown dtype", FileWith($"{{\"a\":{Entry(dtype: "\"F33\"")}}}", 4), "unknown dtype \"F33\"" },
        { "shape that is not an array", FileWith($"{{\"a\":{Entry(shape: "4")}}}", 4), "shape of tensor 'a' must be an array" },
        { "negative dimension", FileWith($"{{\"a\":{Entry(shape: "[-1]")}}}", 4), "dimension 0 of the shape of tensor 'a'" },
        { "fractional dimension", FileWith($"{{\"a\":{Entry(shape: "[1, 1.5]")}}}", 4), "dimension 1 of the shape of tensor 'a'" },
        { "dimension too large for a tensor", FileWith($"{{\"a\":{Entry(shape: "[3000000000]")}}}", 4), "integer from 0 to 2147483647" },
        { "data_offsets with three numbers", FileWith($"{{\"a\":{Entry(offsets: "[0,4,8]")}}}", 4), "array [begin, end] of two byte offsets" },
        { "negative offset", FileWith($"{{\"a\":{Entry(offsets: "[-4,0]")}}}", 4), "must be non-negative integers" },
        { "offsets that end before they begin", FileWith($"{{\"a\":{Entry(offsets: "[4,0]")}}}", 4), "[4, 0] of tensor 'a' end before they begin" },
        { "data truncated", FileWith($"{{\"a\":{Entry(shape: "[2]", offsets: "[0,8]")}}}", 4), "reach past the end of the data section (4 bytes)" },
        { "shape that does not match the byte range", FileWith($"{{\"a\":{Entry(shape: "[2,3]", offsets: "[0,20]")}}}", 20), "shape [2, 3] of F32, which needs 24 bytes, but its data_offsets [0, 20] span 20 bytes" },
        { "dtype that does not match the byte range", FileWith($"{{\"a\":{Entry(dtype: "\"F16\"", shape: "[2]", offsets: "[0,8]")}}}", 8), "of F16, which needs 4 bytes" },
        { "shape whose size overflows", FileWith($"{{\"a\":{Entry(shape: "[2147483647,2147483647,2147483647]", offsets: "[0,0]")}}}"), "needs more bytes than a file can hold" },
        { "overlapping tensors", FileWith($"{{\"a\":{Entry(shape: "[2]", offsets: "[0,8]")},\"b\":{Entry(shape: "[2]", offsets: "[4,12]")}}}", 12), "tensor 'b' at bytes [4, 12] overlaps tensor 'a' at [0, 8]" },
        { "gap between tensors", FileWith($"{{\"a\":{Entry()},\"b\":{Entry(offsets: "[8,12]")}}}", 12), "bytes [4, 8) of the data section belong to no tensor (before 'b')" },
        { "first tensor not at the start", FileWith($"{{\"a\":{Entry(offsets: "[4,8]")}}}", 8), "bytes [0, 4) of the data section belong to no tensor" },
        { "trailing bytes after the last tensor", FileWith($"{{\"a\":{Entry()}}}", 8), "holds 8 bytes but the tensors cover only the first 4" },
        { "tensor named twice", FileWith($"{{\"a\":{Entry()},\"a\":{Entry(offsets: "[4,8]")}}}", 8), "lists 'a' twice" },
        { "metadata that is not an object", FileWith("{\"__metadata__\":[]}"), "'__metadata__' must be an object of string values" },
        { "metadata value that is not a string", FileWith("{\"__metadata__\":{\"step\":3}}"), "'__metadata__' entry 'step' must be a string" },
        { "name escaping half a surrogate pair", FileWith($"{{\"a\\ud800\":{Entry()}}}", 4), "unpaired UTF-16 surrogate" },
    };

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void Malformed_file_is_rejected_with_a_message_naming_the_file_and_the_problem(string problem, byte[] bytes, string expectedMessage)
    {
        var error = Assert.Throws<CheckpointFormatException>(() => SafeTensorsFile.Parse(bytes, Source));

        Assert.True(error.Message.Contains(expectedMessage, StringComparison.Ordinal), $"{problem}: unexpected message \"{error.Message}\"");
        Assert.StartsWith($"'{Source}' is not a valid safetensors file: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reading_a_malformed_file_from_disk_names_its_path()
    {
        string path = Path.Combine(Path.GetTempPath(), $"modular-malformed-{Guid.NewGuid():N}.safetensors");
        File.WriteAllBytes(path, FileWith("[]"));
        try
        {
            var error = Assert.Throws<CheckpointFormatException>(() => SafeTensorsFile.Read(path));
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Header_features_the_reference_accepts_are_accepted()
    {
        // No tensors, null metadata, unknown fields, whitespace and an entry order unlike the data order.
        Assert.Empty(SafeTensorsFile.Parse(FileWith("{}"), Source).Tensors);
        Assert.Empty(SafeTensorsFile.Parse(FileWith("{\"__metadata__\":null}"), Source).Metadata);

        var file = SafeTensorsFile.Parse(
            FileWith($"{{ \"b\" : {Entry(offsets: "[4,8]")}, \"a\": {{\"comment\":\"x\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}} }}    ", 8),
            Source);

        Assert.Equal(["a", "b"], file.Names);
    }

    [Fact]
    public void Integer_tensors_are_listed_but_not_converted_to_float()
    {
        var file = SafeTensorsFile.Parse(FileWith($"{{\"ids\":{Entry(dtype: "\"I64\"", shape: "[2]", offsets: "[0,16]")}}}", 16), Source);

        Assert.Equal(SafeTensorsDtype.I64, file.Info("ids").Dtype);
        var error = Assert.Throws<CheckpointFormatException>(() => file.Get("ids"));
        Assert.Contains("stored as I64; Modular reads F32, F16 and BF16", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Asking_for_a_missing_tensor_lists_what_the_file_holds()
    {
        var file = SafeTensorsFile.Parse(FileWith($"{{\"weight\":{Entry()}}}", 4), Source);

        var error = Assert.Throws<CheckpointFormatException>(() => file.Get("bias"));

        Assert.Contains("has no tensor 'bias'. It holds 1 tensors, e.g. 'weight'", error.Message, StringComparison.Ordinal);
    }
}
