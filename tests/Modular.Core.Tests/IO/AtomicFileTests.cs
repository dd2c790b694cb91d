using System.Text;
using Modular.IO;

namespace Modular.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("modular-atomic-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string PathOf(string name) => Path.Combine(directory, name);

    private static Action<Stream> Text(string text) => stream => stream.Write(Encoding.UTF8.GetBytes(text));

    private static void Fail(Stream stream)
    {
        stream.Write("partial"u8);
        throw new IOException("disk full");
    }

    [Fact]
    public void Write_creates_or_replaces_the_file_and_leaves_nothing_else()
    {
        string target = PathOf("state.json");

        AtomicFile.Write(target, Text("first"));
        AtomicFile.Write(target, Text("second"));

        Assert.Equal("second", File.ReadAllText(target));
        Assert.Equal([target], Directory.GetFiles(directory));
    }

    [Fact]
    public void A_failing_write_keeps_the_old_content_and_removes_its_temporary_file()
    {
        string target = PathOf("state.json");
        AtomicFile.Write(target, Text("old"));

        var error = Assert.Throws<IOException>(() => AtomicFile.Write(target, Fail));

        Assert.Equal("disk full", error.Message);
        Assert.Equal("old", File.ReadAllText(target));
        Assert.Equal([target], Directory.GetFiles(directory));
    }

    [Fact]
    public void WriteAll_renames_nothing_when_any_file_fails()
    {
        string weights = PathOf("weights.bin"), config = PathOf("config.json");
        AtomicFile.WriteAll([(weights, Text("w1")), (config, Text("c1"))]);

        Assert.Throws<IOException>(() => AtomicFile.WriteAll([(weights, Text("w2")), (config, Fail)]));

        Assert.Equal("w1", File.ReadAllText(weights));
        Assert.Equal("c1", File.ReadAllText(config));
        Assert.Equal(2, Directory.GetFiles(directory).Length);
    }

    [Fact]
    public void WriteAll_refuses_the_same_target_twice()
    {
        string target = PathOf("a.txt");
        Assert.Throws<ArgumentException>(() => AtomicFile.WriteAll([(target, Text("1")), (Path.Combine(directory, ".", "a.txt"), Text("2"))]));
        Assert.Empty(Directory.GetFiles(directory));
    }
}
