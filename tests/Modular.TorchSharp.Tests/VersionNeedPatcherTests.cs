using Modular.TorchSharp.Native;

namespace Modular.TorchSharp.Tests;

public class VersionNeedPatcherTests
{
    private static byte[] Library() => SyntheticElf.Requiring(
        ("libc.so.6", ["GLIBC_2.2.5", "GLIBCXX_3.4.32"]), // the same version name under another dependency must stay strict
        ("libstdc++.so.6", ["GLIBCXX_3.4.30", "GLIBCXX_3.4.32", "CXXABI_1.3"]));

    private static HostLibStdCxx Host(string directory, params string[] versions)
    {
        var path = Path.Combine(directory, "libstdc++.so.6");
        File.WriteAllBytes(path, SyntheticElf.Defining(["libstdc++.so.6", .. versions]));
        return HostLibStdCxx.Read(path);
    }

    [Fact]
    public void Sets_the_weak_bit_of_exactly_that_entry_and_changes_no_other_byte()
    {
        using var dir = new TempDirectory();
        var path = dir.File("lib.so");
        var before = Library();
        File.WriteAllBytes(path, before);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        Assert.Equal(VersionNeedPatch.MadeWeak, VersionNeedPatcher.MakeWeak(path, "libstdc++.so.6", "GLIBCXX_3.4.32"));

        var after = File.ReadAllBytes(path);
        var target = ElfVersionTables.Parse(before, path).Needs.Single(n => n.File == "libstdc++.so.6" && n.Version == "GLIBCXX_3.4.32");
        var changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToList();
        Assert.Equal([(int)target.FlagsOffset], changed);
        Assert.Equal(before[target.FlagsOffset] | ElfVersionNeed.WeakFlag, after[target.FlagsOffset]);
        var needs = ElfVersionTables.Parse(after, path).Needs;
        Assert.Equal(["libstdc++.so.6:GLIBCXX_3.4.32"], needs.Where(n => n.IsWeak).Select(n => $"{n.File}:{n.Version}"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(path));
        Assert.Equal(["lib.so"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Is_idempotent_and_leaves_a_patched_file_untouched()
    {
        using var dir = new TempDirectory();
        var path = dir.File("lib.so");
        File.WriteAllBytes(path, Library());
        VersionNeedPatcher.MakeWeak(path, "libstdc++.so.6", "GLIBCXX_3.4.32");
        var once = File.ReadAllBytes(path);
        var stamp = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, stamp);

        Assert.Equal(VersionNeedPatch.AlreadyWeak, VersionNeedPatcher.MakeWeak(path, "libstdc++.so.6", "GLIBCXX_3.4.32"));
        Assert.Equal(once, File.ReadAllBytes(path));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(path));
    }

    [Fact]
    public void A_library_without_that_requirement_is_left_alone()
    {
        using var dir = new TempDirectory();
        var path = dir.File("lib.so");
        var image = SyntheticElf.Requiring(("libstdc++.so.6", ["GLIBCXX_3.4.30"]));
        File.WriteAllBytes(path, image);
        Assert.Equal(VersionNeedPatch.NotRequired, VersionNeedPatcher.MakeWeak(path, "libstdc++.so.6", "GLIBCXX_3.4.32"));
        Assert.Equal(image, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_damaged_library_is_a_typed_error_and_is_not_rewritten()
    {
        using var dir = new TempDirectory();
        var path = dir.File("lib.so");
        var cut = Library()[..100];
        File.WriteAllBytes(path, cut);
        var e = Assert.Throws<ElfFormatException>(() => VersionNeedPatcher.MakeWeak(path, "libstdc++.so.6", "GLIBCXX_3.4.32"));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Equal(cut, File.ReadAllBytes(path));
    }

    [Fact]
    public void The_fix_patches_only_where_the_host_lacks_the_version()
    {
        using var dir = new TempDirectory();
        var path = dir.File("lib.so");
        var image = Library();
        File.WriteAllBytes(path, image);

        var modern = Host(Directory.CreateDirectory(dir.File("gcc13")).FullName, "GLIBCXX_3.4", "GLIBCXX_3.4.30", "GLIBCXX_3.4.32", "CXXABI_1.3");
        Assert.Equal(GlibcxxFixStatus.HostHasVersion, GlibcxxAnchorFix.Apply(path, modern).Status);
        Assert.Equal(image, File.ReadAllBytes(path));

        var ancient = Host(Directory.CreateDirectory(dir.File("gcc9")).FullName, "GLIBCXX_3.4", "GLIBCXX_3.4.28", "CXXABI_1.3");
        var refused = GlibcxxAnchorFix.Apply(path, ancient);
        Assert.Equal(GlibcxxFixStatus.OtherVersionsMissing, refused.Status);
        Assert.Contains("GLIBCXX_3.4.30", refused.Detail, StringComparison.Ordinal);
        Assert.Equal(image, File.ReadAllBytes(path));

        var debian12 = Host(Directory.CreateDirectory(dir.File("gcc12")).FullName, "GLIBCXX_3.4", "GLIBCXX_3.4.30", "CXXABI_1.3");
        Assert.Equal(GlibcxxFixStatus.MadeWeak, GlibcxxAnchorFix.Apply(path, debian12).Status);
        Assert.Equal(GlibcxxFixStatus.AlreadyWeak, GlibcxxAnchorFix.Apply(path, debian12).Status);
    }

    [Fact]
    public void On_a_copy_of_the_real_library_only_the_anchor_entry_changes()
    {
        using var dir = new TempDirectory();
        var path = dir.File("libLibTorchSharp.so");
        var before = File.ReadAllBytes(Packages.PristineLibTorchSharp());
        // A notebook that ran TorchSharp from the NuGet cache on this machine patches the cache's copy; start from the shipped bytes.
        var shipped = ElfVersionTables.Parse(before, path).Needs.Single(n => n.Version == GlibcxxAnchorFix.AnchorVersion);
        before[shipped.FlagsOffset] &= unchecked((byte)~ElfVersionNeed.WeakFlag);
        File.WriteAllBytes(path, before);
        var beforeNeeds = ElfVersionTables.Parse(before, path).Needs;
        Assert.False(beforeNeeds.Single(n => n.Version == GlibcxxAnchorFix.AnchorVersion).IsWeak);

        var debian12 = Host(Directory.CreateDirectory(dir.File("host")).FullName, [.. beforeNeeds.Where(n => n.File == HostLibStdCxx.SoName && n.Version != GlibcxxAnchorFix.AnchorVersion).Select(n => n.Version)]);
        Assert.Equal(GlibcxxFixStatus.MadeWeak, GlibcxxAnchorFix.Apply(path, debian12).Status);

        var after = File.ReadAllBytes(path);
        var anchor = beforeNeeds.Single(n => n.Version == GlibcxxAnchorFix.AnchorVersion);
        Assert.Equal([(int)anchor.FlagsOffset], Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]));
        var afterNeeds = ElfVersionTables.Parse(after, path).Needs;
        Assert.Equal(beforeNeeds.Select(n => n with { Flags = 0 }), afterNeeds.Select(n => n with { Flags = 0 }));
        Assert.Equal([GlibcxxAnchorFix.AnchorVersion], afterNeeds.Where(n => n.IsWeak && !beforeNeeds.Single(b => b.FlagsOffset == n.FlagsOffset).IsWeak).Select(n => n.Version));
    }
}
