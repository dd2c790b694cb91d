using Modular.Tensors.Kernels;

namespace Modular.Tensors;

/// <summary>
/// Where a tensor's storage lives and which backend computes on it: <see cref="Cpu"/> is Modular's own CPU engine
/// (pooled host buffers, SIMD kernels); other devices come from backend packages — Modular.TorchSharp adds
/// <c>Device.Torch("cpu")</c> and <c>Device.Torch("cuda:0")</c>. An operation runs on the device of its inputs, and
/// inputs on two devices are a <see cref="DeviceMismatchException"/>, never an implicit copy.
/// </summary>
public sealed class Device
{
    private static long hostReads;

    internal Device(string name, Backend backend)
    {
        Name = name;
        Backend = backend;
    }

    /// <summary>Modular's own CPU engine, the default device of every tensor.</summary>
    public static Device Cpu { get; } = new("cpu", CpuBackend.Instance);

    /// <summary>The device's name as users write it: <c>cpu</c> for the CPU engine, <c>torch:cpu</c>, <c>torch:cuda:0</c>.</summary>
    public string Name { get; }

    /// <summary>True for Modular's own CPU engine, whose storage is host memory that spans can read directly.</summary>
    public bool IsHost => ReferenceEquals(this, Cpu);

    internal Backend Backend { get; }

    /// <summary>
    /// How many times data was copied from a device other than <see cref="Cpu"/> into host memory, process-wide. Every such
    /// read goes through one path (<see cref="Tensor.ToArray"/>, <see cref="Tensor.CopyTo"/>, <see cref="Tensor.Item"/>, an
    /// element read, or the host values of device indices), so a test can count the reads a training step makes.
    /// </summary>
    public static long HostReads => Interlocked.Read(ref hostReads);

    internal static void CountHostRead() => Interlocked.Increment(ref hostReads);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
