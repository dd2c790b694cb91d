using Modular.Data;

namespace Modular.Tests.Data;

public class DataDirectoryTests
{
    [Fact]
    public void Shipped_folder_is_found_from_the_test_directory_and_holds_every_data_set()
    {
        string shipped = DataDirectory.Shipped;
        Assert.True(File.Exists(Path.Combine(shipped, "..", "Modular.sln")));
        foreach (var folder in new[] { UdhrCorpus.FolderName, GettextCorpus.FolderName, SnowballStems.FolderName })
        {
            Assert.True(File.Exists(Path.Combine(shipped, folder, "ATTRIBUTION.md")), $"{folder} has no ATTRIBUTION.md");
            Assert.True(File.Exists(Path.Combine(shipped, folder, "SOURCES.tsv")), $"{folder} has no SOURCES.tsv");
        }
        Assert.Equal(Path.Combine(Path.GetDirectoryName(shipped)!, "data-cache", "full"), DataDirectory.FullCache);
    }
}
