using System.Reflection;

namespace Modular.TorchSharp.Tests;

/// <summary>Files of the restored NuGet packages, found through the package root the build recorded in this assembly.</summary>
internal static class Packages
{
    public static string Root =>
        typeof(Packages).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "NuGetPackageRoot").Value
        ?? throw new InvalidOperationException("The build did not record NuGetPackageRoot.");

    /// <summary>TorchSharp's libLibTorchSharp.so as NuGet restored it (tests copy it; the runtime patches only the output folder's copy).</summary>
    public static string PristineLibTorchSharp()
    {
        var path = Path.Combine(Root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"expected TorchSharp's native library at {path}");
        return path;
    }

    /// <summary>The Modular checkout this test assembly was built from (it has Modular.sln).</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Modular.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No Modular.sln above {AppContext.BaseDirectory}.");
    }
}
