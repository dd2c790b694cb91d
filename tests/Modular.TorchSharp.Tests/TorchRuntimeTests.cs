using Modular.TorchSharp.Native;
using TorchSharp;

namespace Modular.TorchSharp.Tests;

public class TorchRuntimeTests
{
    [Fact]
    public void Loads_libtorch_after_patching_the_copy_this_process_loads_and_computes()
    {
        TorchRuntime.EnsureLoaded();
        TorchRuntime.EnsureLoaded();

        var outputCopy = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", TorchRuntime.LibraryFileName);
        Assert.Contains(outputCopy, TorchRuntime.CandidateLibraries());
        var host = HostLibStdCxx.Find()!;
        var status = TorchRuntime.Fixes.Single(f => f.LibraryPath == outputCopy).Status;
        if (host.Defines(GlibcxxAnchorFix.AnchorVersion)) Assert.Equal(GlibcxxFixStatus.HostHasVersion, status);
        else
        {
            Assert.Contains(status, new[] { GlibcxxFixStatus.MadeWeak, GlibcxxFixStatus.AlreadyWeak });
            Assert.True(ElfVersionTables.Read(outputCopy).Needs.Single(n => n.Version == GlibcxxAnchorFix.AnchorVersion).IsWeak);
        }

        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        var b = torch.tensor(new float[] { 1, 0, 0, 1, 1, 1 }, [3, 2]);
        Assert.Equal(new float[] { 4, 5, 10, 11 }, a.matmul(b).data<float>().ToArray());
        // A training step through libtorch's autograd: the parts of libtorch the anchor's absence could have broken (iostream-using code) run.
        var w = torch.ones(3, 2).requires_grad_();
        var loss = a.matmul(w).pow(2).sum();
        loss.backward();
        Assert.Equal(new float[] { 132, 132, 174, 174, 216, 216 }, w.grad!.data<float>().ToArray());
    }

    [Fact]
    public void A_library_that_does_not_load_is_explained_with_the_loaders_message_and_the_fix()
    {
        using var dir = new TempDirectory();
        var fake = dir.File(TorchRuntime.LibraryFileName);
        File.WriteAllBytes(fake, SyntheticElf.Requiring(("libstdc++.so.6", ["GLIBCXX_3.4.32"])));
        var host = HostLibStdCxx.Find();
        var fix = new GlibcxxFix(fake, GlibcxxFixStatus.MadeWeak);

        var message = new TorchNativeLoadException(TorchRuntime.Diagnose([fake], host, [fix])).Message;

        Assert.Contains($"Loading {fake}: ", message, StringComparison.Ordinal);
        Assert.Contains(fake, message[(message.IndexOf(": ", StringComparison.Ordinal) + 2)..], StringComparison.Ordinal); // the loader names the file
        Assert.Contains(TorchRuntime.FixCommand, message, StringComparison.Ordinal);
        Assert.Contains($"'{fake}'", message, StringComparison.Ordinal);
        Assert.Contains(host!.Path, message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<ModularException>(new TorchNativeLoadException(message));

        var loadable = TorchRuntime.CandidateLibraries()[0];
        var late = TorchRuntime.Diagnose([loadable], host, [new GlibcxxFix(loadable, GlibcxxFixStatus.MadeWeak)], initializerFailed: true);
        Assert.Contains("a torch.* call came before the first Modular.TorchSharp call", late, StringComparison.Ordinal);
        Assert.Contains("TorchRuntime.EnsureLoaded()", late, StringComparison.Ordinal);

        var missing = TorchRuntime.Diagnose([], host, []);
        Assert.Contains("libtorch-cpu-linux-x64", missing, StringComparison.Ordinal);
    }

    [Fact]
    public void The_command_the_error_names_exists_and_patches_a_given_file()
    {
        var script = Path.Combine(Packages.RepositoryRoot(), "scripts", "fix-torchsharp-native.cs");
        Assert.True(File.Exists(script), $"{TorchRuntime.FixCommand} names {script}");
        var text = File.ReadAllText(script);
        Assert.Contains("#:project ../src/Modular.TorchSharp/Modular.TorchSharp.csproj", text, StringComparison.Ordinal);
        Assert.Contains("GlibcxxAnchorFix.Apply", text, StringComparison.Ordinal);
    }
}
