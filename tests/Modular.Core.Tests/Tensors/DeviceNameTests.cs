using Modular.Tensors;

namespace Modular.Tests.Tensors;

/// <summary>The device names of command lines and configuration: what each means, and a clear refusal of the rest.</summary>
public class DeviceNameTests
{
    [Theory]
    [InlineData("cpu", null)]
    [InlineData(" CPU ", null)]
    [InlineData("torch-cpu", "cpu")]
    [InlineData("torch:cpu", "cpu")]
    [InlineData("cuda", "cuda")]
    [InlineData("cuda:1", "cuda:1")]
    [InlineData("torch:cuda:2", "cuda:2")]
    public void A_name_means_the_cpu_engine_or_a_libtorch_device(string name, string? libtorch) =>
        Assert.Equal(libtorch, DeviceName.LibtorchDevice(name));

    [Theory]
    [InlineData("gpu")]
    [InlineData("torch")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("torch:tpu")]
    public void Anything_else_is_refused_naming_the_source_and_the_valid_names(string name)
    {
        var error = Assert.Throws<ConfigurationException>(() => DeviceName.LibtorchDevice(name, "--device"));
        Assert.StartsWith($"--device: '{name}' is not a device", error.Message, StringComparison.Ordinal);
        Assert.Contains("torch-cpu", error.Message, StringComparison.Ordinal);
    }
}
