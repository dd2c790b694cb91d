using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Modular.Interactive.Notebook;

namespace Modular.Interactive.Tests.Notebook;

public partial class ExtensionPackageTests
{
    private static readonly string DibPath = Path.Combine(Repository.Root, "src", "Modular.Interactive", "extension.dib");

    [Fact]
    public void The_package_holds_the_library_and_the_extension_script_where_the_kernel_looks()
    {
        string output = Directory.CreateTempSubdirectory("modular-pack-").FullName;
        try
        {
            var pack = Process.Start(new ProcessStartInfo("dotnet",
                ["pack", Path.Combine(Repository.Root, "src", "Modular.Interactive", "Modular.Interactive.csproj"), "-c", Repository.Configuration, "--no-build", "-o", output, "-nologo"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            string log = pack.StandardOutput.ReadToEnd() + pack.StandardError.ReadToEnd();
            pack.WaitForExit();
            Assert.True(pack.ExitCode == 0, log);

            using var package = ZipFile.OpenRead(Path.Combine(output, "Modular.Interactive.0.1.0.nupkg"));
            var entries = package.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("interactive-extensions/dotnet/extension.dib", entries);
            Assert.Contains("lib/net10.0/Modular.Interactive.dll", entries);
            Assert.Contains("lib/net10.0/Modular.Interactive.xml", entries);

            using var reader = new StreamReader(package.GetEntry("interactive-extensions/dotnet/extension.dib")!.Open());
            Assert.Equal(File.ReadAllText(DibPath), reader.ReadToEnd());

            using var nuspec = package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
            var dependencies = XDocument.Load(nuspec).Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => (string?)e.Attribute("id"));
            Assert.Contains("Modular.Core", dependencies);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public void Each_magic_command_has_its_own_command_class_in_the_extension_script()
    {
        string dib = File.ReadAllText(DibPath);
        var classes = CommandClass().Matches(dib).Select(m => m.Groups["name"].Value).ToList();
        var registrations = Registration().Matches(dib).ToDictionary(m => m.Groups["type"].Value, m => m.Groups["command"].Value);

        Assert.Equal(MagicCommands.All.Count, classes.Count);
        Assert.Equal(classes.Order(StringComparer.Ordinal), registrations.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(MagicCommands.All.Count, registrations.Values.Distinct().Count());
        Assert.All(registrations.Values, name => Assert.NotNull(typeof(MagicCommands).GetProperty(name)));
    }

    [Fact]
    public void Every_Modular_member_the_extension_script_calls_exists()
    {
        string dib = File.ReadAllText(DibPath);
        var assembly = typeof(Output).Assembly;
        foreach (Match reference in ModularReference().Matches(dib))
        {
            string[] parts = reference.Value.Split('.');
            // The longest prefix naming a type; the next part must be one of its members.
            int typeEnd = Enumerable.Range(2, parts.Length - 1).Last(n => assembly.GetType(string.Join('.', parts[..n])) is not null);
            var type = assembly.GetType(string.Join('.', parts[..typeEnd]))!;
            if (typeEnd < parts.Length)
            {
                Assert.True(type.GetMember(parts[typeEnd], BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance).Length > 0, $"{reference.Value}: {type.Name} has no public {parts[typeEnd]}");
            }
        }
    }

    [GeneratedRegex(@"public class (?<name>\w+) : Microsoft\.DotNet\.Interactive\.Commands\.KernelDirectiveCommand \{ \}")]
    private static partial Regex CommandClass();

    [GeneratedRegex(@"Add<(?<type>\w+)>\(kernel, Modular\.Interactive\.Notebook\.MagicCommands\.(?<command>\w+)\)")]
    private static partial Regex Registration();

    [GeneratedRegex(@"Modular\.Interactive(\.[A-Z]\w*)+")]
    private static partial Regex ModularReference();
}
