// The tests reference libtorch's linux-x64 natives only (libtorch-cpu-linux-x64), so they run on Linux alone.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
