using System.Text;
using Modular.Checkpoints;
using Modular.Tensors;

namespace Modular.Tests.Checkpoints;

public sealed class SafeTensorsRoundTripTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    private static Dictionary<string, Tensor> SampleTensors() => new()
    {
        ["layers.0.attention.query.lora_B.weight"] = Tensor.FromArray([0.1f, -0.2f, 0.3f, -0.4f, 0.5f, -0.6f], 3, 2),
        ["layers.0.attention.query.lora_A.weight"] = Tensor.FromArray([1e-30f, -1e30f, float.Epsilon, float.MaxValue, -0f, 7f / 3f, 1f, 2f], 2, 4),
        ["scale"] = Tensor.Scalar(0.125f),
        ["nothing"] = Tensor.Zeros(0, 5),
    };

    [Fact]
    public void Written_tensors_read_back_with_exact_values_shapes_and_metadata()
    {
        var tensors = SampleTensors();
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["step"] = "1200", ["note"] = "é \"quoted\"\n" };
        string path = directory.File("model.safetensors");

        SafeTensorsFile.Write(path, tensors, metadata);
        var file = SafeTensorsFile.Read(path);

        Assert.Equal(tensors.Keys.Order(StringComparer.Ordinal), file.Names);
        foreach (var (name, expected) in tensors)
        {
            var info = file.Info(name);
            Assert.Equal(SafeTensorsDtype.F32, info.Dtype);
            Assert.Equal(expected.Shape, info.Shape);
            using var actual = file.Get(name);
            Assert.Equal(expected.Shape, actual.Shape);
            Assert.Equal(BitsOf(expected), BitsOf(actual));
        }
        Assert.Equal(metadata, file.Metadata);
    }

    [Fact]
    public void Write_read_write_reproduces_the_file_byte_for_byte()
    {
        string first = directory.File("first.safetensors"), second = directory.File("second.safetensors");
        SafeTensorsFile.Write(first, SampleTensors(), new Dictionary<string, string> { ["format"] = "pt" });

        var file = SafeTensorsFile.Read(first);
        SafeTensorsFile.Write(second, file.GetAll(), file.Metadata);

        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
    }

    [Fact]
    public void Output_does_not_depend_on_the_order_tensors_and_metadata_are_given_in()
    {
        var tensors = SampleTensors();
        var metadata = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" };
        string forward = directory.File("forward.safetensors"), backward = directory.File("backward.safetensors");

        SafeTensorsFile.Write(forward, tensors, metadata);
        SafeTensorsFile.Write(backward, tensors.Reverse(), metadata.Reverse().ToDictionary());

        Assert.Equal(File.ReadAllBytes(forward), File.ReadAllBytes(backward));
    }

    [Fact]
    public void Header_is_compact_json_sorted_by_name_and_padded_with_spaces_to_eight_bytes()
    {
        string path = directory.File("small.safetensors");
        SafeTensorsFile.Write(path,
            new Dictionary<string, Tensor> { ["b"] = Tensor.FromArray([5f, 6f], 2), ["a"] = Tensor.FromArray([1f, 2f], 1, 2) },
            new Dictionary<string, string> { ["k"] = "v" });

        byte[] bytes = File.ReadAllBytes(path);
        const string Json = """{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""";
        int headerLength = (Json.Length + 7) / 8 * 8;
        Assert.Equal((ulong)headerLength, BitConverter.ToUInt64(bytes, 0));
        Assert.Equal(Json.PadRight(headerLength), Encoding.UTF8.GetString(bytes, 8, headerLength));
        Assert.Equal(new float[] { 1, 2, 5, 6 }, Enumerable.Range(0, 4).Select(i => BitConverter.ToSingle(bytes, 8 + headerLength + 4 * i)));
        Assert.Equal(8 + headerLength + 16, bytes.Length);
    }

    [Fact]
    public void Empty_metadata_is_left_out_of_the_header()
    {
        string path = directory.File("plain.safetensors");
        SafeTensorsFile.Write(path, new Dictionary<string, Tensor> { ["x"] = Tensor.Ones(1) }, new Dictionary<string, string>());

        Assert.DoesNotContain("__metadata__", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Empty(SafeTensorsFile.Read(path).Metadata);
    }

    [Fact]
    public void A_transposed_view_is_written_in_row_major_order_of_its_shape()
    {
        using var matrix = Tensor.FromArray(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        using var transposed = matrix.Transpose(0, 1);
        string path = directory.File("view.safetensors");

        SafeTensorsFile.Write(path, new Dictionary<string, Tensor> { ["t"] = transposed });
        using var read = SafeTensorsFile.Read(path).Get("t");

        Assert.Equal(TensorShape.Of(3, 2), read.Shape);
        Assert.Equal(new float[] { 1, 4, 2, 5, 3, 6 }, read.ToArray());
    }

    [Fact]
    public void Writer_refuses_the_name_reserved_for_metadata()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            SafeTensorsFile.Write(directory.File("x.safetensors"), new Dictionary<string, Tensor> { ["__metadata__"] = Tensor.Ones(1) }));
        Assert.Contains("reserved", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writer_refuses_a_name_that_is_not_valid_unicode()
    {
        string unpairedSurrogate = "bad" + (char)0xD800 + "name";
        Assert.ThrowsAny<ArgumentException>(() =>
            SafeTensorsFile.Write(directory.File("x.safetensors"), new Dictionary<string, Tensor> { [unpairedSurrogate] = Tensor.Ones(1) }));
    }

    [Fact]
    public void Writer_refuses_two_tensors_with_one_name()
    {
        var twice = new[] { KeyValuePair.Create("w", Tensor.Ones(1)), KeyValuePair.Create("w", Tensor.Zeros(1)) };
        var error = Assert.Throws<ArgumentException>(() => SafeTensorsFile.Write(directory.File("x.safetensors"), twice));
        Assert.Contains("'w'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_write_keeps_the_previous_file_and_leaves_no_temporary_file()
    {
        string path = directory.File("model.safetensors");
        SafeTensorsFile.Write(path, SampleTensors());
        byte[] before = File.ReadAllBytes(path);
        var disposed = Tensor.Ones(4);
        disposed.Dispose();

        Assert.Throws<ObjectDisposedException>(() => SafeTensorsFile.Write(path, new Dictionary<string, Tensor> { ["w"] = disposed }));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(directory.Path));
    }

    private static int[] BitsOf(Tensor t) => t.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();
}
