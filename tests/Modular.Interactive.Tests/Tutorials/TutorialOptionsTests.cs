using Modular.Interactive.Tutorials;

namespace Modular.Interactive.Tests.Tutorials;

public class TutorialOptionsTests
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("0", false)]
    [InlineData("false", false)]
    [InlineData("1", true)]
    [InlineData(" TRUE ", true)]
    public void MODULAR_QUICK_selects_quick_mode_without_editing_the_notebook(string? value, bool quick)
    {
        var options = TutorialOptions.FromEnvironment(name => name == "MODULAR_QUICK" ? value : null);
        Assert.Equal(quick, options.Quick);
        Assert.Equal(quick ? [0] : [0, 1, 2], options.SeedList);
        Assert.Equal(quick ? 16 : 256, options.Size(256, 16));
    }

    [Fact]
    public void Any_other_MODULAR_QUICK_value_is_an_error_naming_the_valid_ones()
    {
        var error = Assert.Throws<ConfigurationException>(() => TutorialOptions.FromEnvironment(_ => "yes"));
        Assert.Equal("MODULAR_QUICK='yes' is not valid; set it to 1 (or true) for quick mode, or to 0 (or false, or unset it) for the full run.", error.Message);
    }

    [Fact]
    public void Script_arguments_apply_on_top_of_the_environment()
    {
        var quickFromEnvironment = new TutorialOptions { Quick = true };
        var options = TutorialOptions.FromArgs(["--seeds", "5", "--report", "r.html"], quickFromEnvironment);
        Assert.True(options.Quick);
        Assert.Equal(5, options.Seeds);
        Assert.Equal("r.html", options.ReportPath);
        Assert.True(TutorialOptions.FromArgs(["--quick"], new TutorialOptions()).Quick);
        var error = Assert.Throws<ConfigurationException>(() => TutorialOptions.FromArgs(["--seeds", "0"], new TutorialOptions()));
        Assert.Contains("'--seeds'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], null, "cpu")]
    [InlineData(new[] { "--device", "torch-cpu" }, null, "torch-cpu")]
    [InlineData(new[] { "--device", "cuda:1" }, null, "cuda:1")]
    [InlineData(new string[0], "torch-cpu", "torch-cpu")]
    [InlineData(new[] { "--device", "cpu" }, "cuda", "cpu")]
    public void The_device_comes_from_the_environment_then_the_arguments(string[] args, string? variable, string expected)
    {
        var defaults = TutorialOptions.FromEnvironment(name => name == TutorialOptions.DeviceVariable ? variable : null);
        Assert.Equal(expected, TutorialOptions.FromArgs(args, defaults).Device);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:x")]
    [InlineData("torch")]
    public void An_unknown_device_is_refused_naming_the_valid_ones(string name)
    {
        var error = Assert.Throws<ConfigurationException>(() => TutorialOptions.FromArgs(["--device", name], new TutorialOptions()));
        Assert.Contains($"'{name}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("torch-cpu", error.Message, StringComparison.Ordinal);
        Assert.Throws<ConfigurationException>(() => TutorialOptions.FromEnvironment(v => v == TutorialOptions.DeviceVariable ? name : null));
    }
}
