#:project ../src/Modular.TorchSharp/Modular.TorchSharp.csproj
#:property PublishAot=false

// Makes TorchSharp's libLibTorchSharp.so load on a host whose libstdc++ predates GCC 13 (Debian 12, Ubuntu 22.04):
// marks its one GLIBCXX_3.4.32 requirement (the std::ios_base_library_init() anchor) weak, where this host lacks it.
//   dotnet run --file scripts/fix-torchsharp-native.cs -- [file-or-directory ...]
// A directory is searched for libLibTorchSharp.so; with no argument, the NuGet package folder is
// (NUGET_PACKAGES or ~/.nuget/packages), which is where notebooks and `dotnet run file.cs` scripts load it from.
// Modular.TorchSharp does the same by itself before its first TorchSharp call; this is for a file it cannot write.

using Modular.TorchSharp.Native;

if (!OperatingSystem.IsLinux())
{
    Console.WriteLine("Only Linux builds of libLibTorchSharp need this; nothing to do.");
    return 0;
}
var host = HostLibStdCxx.Find();
if (host is null)
{
    Console.Error.WriteLine("No libstdc++.so.6 found on this host (LD_LIBRARY_PATH, /lib, /usr/lib and their x86_64-linux-gnu and 64 folders). Install libstdc++6.");
    return 1;
}
var roots = args.Length > 0 ? args
    : [Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"), "torchsharp")];
var files = new List<string>();
foreach (var root in roots)
{
    if (File.Exists(root)) files.Add(root);
    else if (Directory.Exists(root)) files.AddRange(Directory.EnumerateFiles(root, TorchRuntime.LibraryFileName, SearchOption.AllDirectories));
    else
    {
        Console.Error.WriteLine($"'{root}' is neither a file nor a directory.");
        return 2;
    }
}
if (files.Count == 0)
{
    Console.Error.WriteLine($"No {TorchRuntime.LibraryFileName} under {string.Join(", ", roots)}; pass the file (it is in the application's runtimes/linux-x64/native folder).");
    return 1;
}
Console.WriteLine($"host libstdc++: {host.Path}");
int failed = 0;
foreach (var file in files)
{
    var fix = GlibcxxAnchorFix.Apply(file, host);
    Console.WriteLine(fix);
    if (fix.Status is GlibcxxFixStatus.NotWritable or GlibcxxFixStatus.OtherVersionsMissing) failed++;
}
return failed == 0 ? 0 : 1;
