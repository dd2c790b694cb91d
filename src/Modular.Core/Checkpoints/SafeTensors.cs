using System.Buffers.Binary;
using Modular.Tensors;

namespace Modular.Checkpoints;

/// <summary>
/// The contents of a validated safetensors file held in memory: the tensors' names, dtypes and shapes, the
/// <c>__metadata__</c> map, and each tensor as a float32 <see cref="Tensor"/> on request.
/// Obtain one from <see cref="SafeTensorsFile.Read(string)"/> or <see cref="SafeTensorsFile.Parse"/>.
/// </summary>
public sealed class SafeTensors
{
    private readonly ReadOnlyMemory<byte> data;
    private readonly Dictionary<string, SafeTensorInfo> byName;

    internal SafeTensors(ReadOnlyMemory<byte> file, string source)
    {
        var header = SafeTensorsHeader.Parse(file, source);
        Source = source;
        Tensors = header.Tensors;
        Metadata = header.Metadata;
        Names = Tensors.Select(t => t.Name).ToArray();
        data = file[header.DataStart..];
        byName = Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>Where the bytes came from (the file path), as named in errors.</summary>
    public string Source { get; }

    /// <summary>Every tensor's entry, in the order their bytes appear in the file.</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }

    /// <summary>The tensor names, in the order their bytes appear in the file.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The file's <c>__metadata__</c> string map; empty when it has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Whether the file holds a tensor called <paramref name="name"/>.</summary>
    public bool Contains(string name) => byName.ContainsKey(name);

    /// <summary>The header entry of tensor <paramref name="name"/>.</summary>
    public SafeTensorInfo Info(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (byName.TryGetValue(name, out var info)) return info;
        var some = string.Join(", ", Tensors.Take(8).Select(t => $"'{t.Name}'"));
        throw new CheckpointFormatException(
            $"'{Source}' has no tensor '{name}'. It holds {Tensors.Count} tensors{(Tensors.Count > 0 ? $", e.g. {some}" : "")}; check the name or the file.");
    }

    /// <summary>
    /// Tensor <paramref name="name"/> as a new float32 tensor. F32 data is copied exactly; F16 and BF16 widen to
    /// float32 exactly. Other dtypes are refused rather than silently rounded or reinterpreted. Like any new
    /// tensor, it belongs to the open <see cref="TensorScope"/>, if there is one. A NaN or infinite value is refused
    /// with a <see cref="NonFiniteValueException"/> naming the tensor and its first such element, since weights like
    /// that make every output NaN without a word; <paramref name="allowNonFinite"/> = true reads them as stored.
    /// </summary>
    public Tensor Get(string name, bool allowNonFinite = false)
    {
        var info = Info(name);
        var bytes = data.Span.Slice((int)info.DataBegin, (int)info.ByteLength);
        var tensor = Tensor.Empty(info.Shape.Dims);
        var values = tensor.Span;
        switch (info.Dtype)
        {
            case SafeTensorsDtype.F32:
                for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
                break;
            case SafeTensorsDtype.F16:
                for (int i = 0; i < values.Length; i++) values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..]);
                break;
            case SafeTensorsDtype.BF16:
                // A bfloat16 is the upper half of the float32 with the same sign, exponent and leading mantissa bits.
                for (int i = 0; i < values.Length; i++) values[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]) << 16);
                break;
            default:
                tensor.Dispose();
                throw new CheckpointFormatException(
                    $"Tensor '{name}' in '{Source}' is stored as {info.Dtype.FileName()}; Modular reads F32, F16 and BF16 tensors as float32. Convert the tensor to float32 before saving it.");
        }
        if (!allowNonFinite && FirstNonFinite(values) is var bad and >= 0)
        {
            float value = values[bad];
            tensor.Dispose();
            throw new NonFiniteValueException(
                $"Tensor '{name}' in '{Source}' holds {value} at element {TensorShape.FormatPosition(info.Shape.Dims, bad)} (flat index {bad}); weights that are NaN or infinite make every output NaN. " +
                "The file was written after training diverged or was damaged: use a checkpoint from before the divergence, or pass allowNonFinite: true to read the values as stored.");
        }
        return tensor;
    }

    /// <summary>Every tensor, by name, as <see cref="Get"/> returns them (non-finite values refused unless <paramref name="allowNonFinite"/>); the shape a module's state loader takes.</summary>
    public IReadOnlyDictionary<string, Tensor> GetAll(bool allowNonFinite = false) => Names.ToDictionary(name => name, name => Get(name, allowNonFinite), StringComparer.Ordinal);

    /// <summary>The index of the first NaN or infinity in <paramref name="values"/>, or -1.</summary>
    private static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }
}
