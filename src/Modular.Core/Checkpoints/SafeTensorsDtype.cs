namespace Modular.Checkpoints;

/// <summary>
/// The element types the safetensors format names, in the reference implementation's order (increasing
/// alignment), which its writer uses to place the most aligned tensors first.
/// </summary>
public enum SafeTensorsDtype
{
    /// <summary>Boolean, one byte (<c>BOOL</c>).</summary>
    Bool,
    /// <summary>Unsigned 8-bit integer (<c>U8</c>).</summary>
    U8,
    /// <summary>Signed 8-bit integer (<c>I8</c>).</summary>
    I8,
    /// <summary>8-bit float with 5 exponent and 2 mantissa bits (<c>F8_E5M2</c>).</summary>
    F8E5M2,
    /// <summary>8-bit float with 4 exponent and 3 mantissa bits (<c>F8_E4M3</c>).</summary>
    F8E4M3,
    /// <summary>Signed 16-bit integer (<c>I16</c>).</summary>
    I16,
    /// <summary>Unsigned 16-bit integer (<c>U16</c>).</summary>
    U16,
    /// <summary>IEEE half precision (<c>F16</c>); read as float32.</summary>
    F16,
    /// <summary>Brain float, the upper half of a float32 (<c>BF16</c>); read as float32.</summary>
    BF16,
    /// <summary>Signed 32-bit integer (<c>I32</c>).</summary>
    I32,
    /// <summary>Unsigned 32-bit integer (<c>U32</c>).</summary>
    U32,
    /// <summary>IEEE single precision (<c>F32</c>), Modular's tensor type.</summary>
    F32,
    /// <summary>IEEE double precision (<c>F64</c>).</summary>
    F64,
    /// <summary>Signed 64-bit integer (<c>I64</c>).</summary>
    I64,
    /// <summary>Unsigned 64-bit integer (<c>U64</c>).</summary>
    U64,
}

/// <summary>The file spelling and element size of each <see cref="SafeTensorsDtype"/>.</summary>
public static class SafeTensorsDtypes
{
    private static readonly string[] Names =
        ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"];

    private static readonly int[] Sizes = [1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 8, 8, 8];

    /// <summary>The name written in a safetensors header, e.g. <c>"F32"</c>.</summary>
    public static string FileName(this SafeTensorsDtype dtype) => Names[(int)dtype];

    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this SafeTensorsDtype dtype) => Sizes[(int)dtype];

    /// <summary>Finds the dtype a header names (case-sensitive, as in the format); false for names the format does not define.</summary>
    public static bool TryParse(string name, out SafeTensorsDtype dtype)
    {
        int i = Array.IndexOf(Names, name);
        dtype = i >= 0 ? (SafeTensorsDtype)i : default;
        return i >= 0;
    }

    /// <summary>Every dtype name, for error messages.</summary>
    internal static string AllNames => string.Join(", ", Names);
}
