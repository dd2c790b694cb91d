namespace Modular.TorchSharp.Native;

/// <summary>A file is not the ELF64 little-endian shared library the version-table reader expects, or its tables are cut short; the message names the file, the byte offset and the table.</summary>
public sealed class ElfFormatException(string message) : ModularException(message);
