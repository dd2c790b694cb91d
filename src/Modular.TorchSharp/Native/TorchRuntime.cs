using System.Runtime.InteropServices;
using System.Text;
using TorchSharp;

namespace Modular.TorchSharp.Native;

/// <summary>
/// Loads TorchSharp's native libraries once per process, first making them loadable on this host
/// (<see cref="GlibcxxAnchorFix"/>); every entry point of Modular.TorchSharp calls <see cref="EnsureLoaded"/>.
/// </summary>
public static class TorchRuntime
{
    /// <summary>The native library of TorchSharp's bindings on Linux.</summary>
    public const string LibraryFileName = "libLibTorchSharp.so";

    /// <summary>The command, run from a Modular checkout, that patches a given copy of the library.</summary>
    public const string FixCommand = "dotnet run --file scripts/fix-torchsharp-native.cs --";

    private static readonly Lock Gate = new();
    private static volatile bool loaded;
    private static IReadOnlyList<GlibcxxFix> fixes = [];

    /// <summary>What <see cref="EnsureLoaded"/> found and did for each copy of the library it examined.</summary>
    public static IReadOnlyList<GlibcxxFix> Fixes => fixes;

    /// <summary>
    /// Makes sure libtorch and TorchSharp's bindings are loaded and answer a call. On Linux each copy of
    /// libLibTorchSharp.so that this process may load is first patched where the host's libstdc++ lacks the anchor's
    /// version. Throws <see cref="TorchNativeLoadException"/> with the loader's message and the fix when they do not load.
    /// An application whose own first TorchSharp call (even <c>torch.NewDisposeScope()</c>) may come before any
    /// Modular.TorchSharp call calls this first: TorchSharp loads its natives in a static initialiser that never retries.
    /// </summary>
    public static void EnsureLoaded()
    {
        if (loaded) return;
        lock (Gate)
        {
            if (loaded) return;
            var candidates = CandidateLibraries();
            var host = OperatingSystem.IsLinux() ? HostLibStdCxx.Find() : null;
            if (host is not null) fixes = [.. candidates.Select(path => GlibcxxAnchorFix.Apply(path, host))];
            try
            {
                if (OperatingSystem.IsLinux()) PreloadPackagedLibtorch();
                torch.InitializeDeviceType(DeviceType.CPU);
                // A call that goes through libLibTorchSharp into libtorch: loading alone does not bind every symbol.
                using var scope = torch.NewDisposeScope();
                if (torch.ones(2).sum().item<float>() != 2f) throw new TorchNativeLoadException("libtorch answered 1 + 1 = something other than 2; the native libraries are inconsistent. Restore the TorchSharp packages again.");
            }
            catch (Exception e) when (e is NotSupportedException or DllNotFoundException or EntryPointNotFoundException or TypeInitializationException or BadImageFormatException)
            {
                throw new TorchNativeLoadException(Diagnose(candidates, host, fixes, initializerFailed: e is TypeInitializationException), e);
            }
            loaded = true;
        }
    }

    /// <summary>
    /// The copies of libLibTorchSharp.so this process may load: those in the native search directories the .NET host
    /// resolved from the application's deps.json (an application's or test's output folder), and, when TorchSharp.dll
    /// runs from the NuGet package folder (notebooks, scripts), the package's own copy and the <c>cpu</c> folder that
    /// TorchSharp consolidates the natives into.
    /// </summary>
    public static IReadOnlyList<string> CandidateLibraries()
    {
        var directories = new List<string>();
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searched)
            directories.AddRange(searched.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        directories.Add(AppContext.BaseDirectory);
        directories.Add(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native"));
        var torchSharp = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        if (!string.IsNullOrEmpty(torchSharp))
        {
            directories.Add(torchSharp);
            directories.Add(Path.Combine(torchSharp, "cpu"));
            directories.Add(Path.Combine(torchSharp, "..", "..", "runtimes", "linux-x64", "native"));
        }
        return [.. directories.Select(d => Path.GetFullPath(Path.Combine(d, LibraryFileName))).Distinct(StringComparer.Ordinal).Where(File.Exists)];
    }

    /// <summary>
    /// Where TorchSharp.dll runs from a NuGet package folder (a notebook kernel, a script host) rather than from an
    /// application's output folder, nothing binds libtorch's file names to the libtorch package: TorchSharp's first
    /// attempt loads <c>libtorch_cpu.so</c> by name, and a host that has another libtorch on its library path (Debian's
    /// libtorch-dev 1.13 puts one in /usr/lib) then holds the wrong libc10 and libtorch_cpu, so that the right
    /// libLibTorchSharp.so fails later with an undefined c10 symbol. Loading the CPU package's libraries and TorchSharp's
    /// bindings by full path first binds those names to the package's files (later loads by name find them by soname).
    /// CUDA packages ship libtorch in fragments that TorchSharp reassembles itself; they are left to it.
    /// </summary>
    private static void PreloadPackagedLibtorch()
    {
        var torchSharp = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        if (string.IsNullOrEmpty(torchSharp) || File.Exists(Path.Combine(AppContext.BaseDirectory, "libtorch_cpu.so"))) return; // an application: its deps.json binds the natives
        // <packages>/torchsharp/<version>/lib/<tfm>/TorchSharp.dll
        var packages = Path.GetFullPath(Path.Combine(torchSharp, "..", "..", "..", ".."));
        var bindings = Path.GetFullPath(Path.Combine(torchSharp, "..", "..", "runtimes", "linux-x64", "native", LibraryFileName));
        var libtorch = Path.Combine(packages, "libtorch-cpu-linux-x64");
        if (!File.Exists(bindings) || !Directory.Exists(libtorch) || Directory.EnumerateDirectories(packages, "libtorch-cuda-*").Any()) return;
        var natives = Directory.GetDirectories(libtorch).Select(v => Path.Combine(v, "runtimes", "linux-x64", "native"))
            .Where(d => File.Exists(Path.Combine(d, "libtorch_cpu.so"))).OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault();
        if (natives is null) return;
        foreach (var library in new[] { "libgomp-98b21ff3.so.1", "libc10.so", "libtorch_cpu.so", "libtorch.so" })
        {
            var path = Path.Combine(natives, library);
            if (File.Exists(path)) NativeLibrary.Load(path);
        }
        NativeLibrary.Load(bindings);
    }

    /// <summary>Explains why the library did not load: the loader's own message for each copy, what was patched, and the remedy.</summary>
    internal static string Diagnose(IReadOnlyList<string> candidates, HostLibStdCxx? host, IReadOnlyList<GlibcxxFix> applied, bool initializerFailed = false)
    {
        var text = new StringBuilder("TorchSharp's native library did not load.");
        if (candidates.Count == 0)
        {
            text.Append(Invariant($" No {LibraryFileName} was found beside the application ({AppContext.BaseDirectory}) or TorchSharp.dll ({typeof(torch).Assembly.Location}). "))
                .Append("Reference the natives in the application project: TorchSharp-cpu, or libtorch-cpu-linux-x64 2.10.0 next to TorchSharp (a TorchSharp-cuda-* package for CUDA).");
            return text.ToString();
        }
        var messages = candidates.Select(LoaderMessage).ToList();
        if (initializerFailed && messages.All(m => m is null))
        {
            // TorchSharp loads its natives in the static initialiser of torch, and a failed static initialiser is never
            // retried: a torch.* call made before the patch leaves the process unable to use TorchSharp.
            text.Append(Invariant($" Every copy of {LibraryFileName} loads by itself now ({string.Join(", ", candidates)}), so TorchSharp's initialiser must have failed earlier in this process, before Modular.TorchSharp could patch the library: a torch.* call came before the first Modular.TorchSharp call, and TorchSharp does not retry. "))
                .Append("Restart the process, and call Modular.TorchSharp.Native.TorchRuntime.EnsureLoaded() before any other TorchSharp use.");
            return text.ToString();
        }
        foreach (var (path, message) in candidates.Zip(messages))
            text.Append(Invariant($" Loading {path}: {message ?? "loads by itself (so TorchSharp's lookup by name found another copy, or the failure is elsewhere in TorchSharp's initialisation; see the inner exception)"}"));
        if (host is not null)
            text.Append(Invariant($" The host's libstdc++ is {host.Path}, newest {Newest(host)}."));
        foreach (var fix in applied)
            text.Append(Invariant($" Patch: {fix}."));
        var unfixable = applied.Where(f => f.Status == GlibcxxFixStatus.OtherVersionsMissing).ToList();
        text.Append(unfixable.Count > 0
            ? " The host's libstdc++ is older than even the patch can bridge: install a newer libstdc++6 (GCC 12 or later) or run on Debian 12 / Ubuntu 22.04 or newer."
            : Invariant($" Fix: run `{FixCommand} {string.Join(" ", candidates.Select(c => $"'{c}'"))}` from a Modular checkout (with write access to the files, e.g. with sudo for a shared NuGet cache), or call Modular.TorchSharp.Native.GlibcxxAnchorFix.Apply(path, HostLibStdCxx.Find()) before the first TorchSharp call."));
        return text.ToString();
    }

    /// <summary>The loader's error for the file, or null when it loads.</summary>
    private static string? LoaderMessage(string path)
    {
        // TorchSharp's own load swallows dlerror's text; loading the file directly gets it back.
        try
        {
            NativeLibrary.Load(path);
            return null;
        }
        catch (DllNotFoundException e)
        {
            return e.Message;
        }
        catch (BadImageFormatException e)
        {
            return e.Message;
        }
    }

    private static string Newest(HostLibStdCxx host)
    {
        var glibcxx = host.Versions.Where(v => v.StartsWith("GLIBCXX_", StringComparison.Ordinal) && Version.TryParse(v["GLIBCXX_".Length..], out _)).ToList();
        return glibcxx.Count == 0 ? "no GLIBCXX version" : glibcxx.MaxBy(v => Version.Parse(v["GLIBCXX_".Length..]))!;
    }

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
