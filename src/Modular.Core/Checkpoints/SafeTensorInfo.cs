using Modular.Tensors;

namespace Modular.Checkpoints;

/// <summary>One tensor's entry in a safetensors header: its name, element type, shape and byte range in the data section.</summary>
/// <param name="Name">The tensor's key in the file.</param>
/// <param name="Dtype">The element type stored in the file.</param>
/// <param name="Shape">The dimensions, row-major.</param>
/// <param name="DataBegin">First byte of the tensor, relative to the start of the data section.</param>
/// <param name="DataEnd">One past the last byte of the tensor, relative to the start of the data section.</param>
public sealed record SafeTensorInfo(string Name, SafeTensorsDtype Dtype, TensorShape Shape, long DataBegin, long DataEnd)
{
    /// <summary>Number of bytes the tensor occupies.</summary>
    public long ByteLength => DataEnd - DataBegin;
}
