namespace Modular;

/// <summary>Base of every error Modular throws on purpose: the message says what was wrong, where, and what to do.</summary>
public class ModularException : Exception
{
    /// <summary>Creates the exception with a message that names the problem, its place and the remedy.</summary>
    public ModularException(string message) : base(message) { }

    /// <summary>Creates the exception wrapping the error that caused it.</summary>
    public ModularException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>Tensor shapes or ranks do not fit an operation.</summary>
public sealed class ShapeMismatchException(string message) : ModularException(message);

/// <summary>An index, axis or id is outside its valid range.</summary>
public sealed class IndexOutOfRangeModularException(string message) : ModularException(message);

/// <summary>Backward was called in a way autograd cannot honour (non-scalar output without gradient, graph already freed, ...).</summary>
public sealed class AutogradException(string message) : ModularException(message);

/// <summary>A loss or gradient became NaN or infinite.</summary>
public sealed class NonFiniteValueException(string message) : ModularException(message);

/// <summary>A module path or pattern does not resolve, or resolves to the wrong kind of module.</summary>
public sealed class ModulePathException(string message) : ModularException(message);

/// <summary>A configuration value (optimiser, module, router, trainer) is invalid.</summary>
public sealed class ConfigurationException(string message) : ModularException(message);

/// <summary>A checkpoint or adapter file (safetensors, adapter_config.json) is malformed or uses a feature Modular cannot read.</summary>
public sealed class CheckpointFormatException : ModularException
{
    /// <summary>Creates the exception with a message that names the file and the problem.</summary>
    public CheckpointFormatException(string message) : base(message) { }

    /// <summary>Creates the exception wrapping the parser error that revealed the problem.</summary>
    public CheckpointFormatException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>Data handed to a report (heatmap, parameter-efficiency table, training history, model summary) is out of range or inconsistent.</summary>
public sealed class ReportDataException(string message) : ModularException(message);

/// <summary>A data file is missing, truncated or not in the format its reader expects; the message names the file, the place and the remedy.</summary>
public sealed class DataFileException(string message, string filePath) : ModularException(message)
{
    /// <summary>The file that could not be read.</summary>
    public string FilePath { get; } = filePath;
}

/// <summary>
/// Tensors on different devices met in one operation, or device data was used where host memory is needed; the message
/// names both devices, the tensors and the call that moves one of them.
/// </summary>
public sealed class DeviceMismatchException(string message) : ModularException(message);
