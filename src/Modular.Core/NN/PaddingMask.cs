using Modular.Tensors;

namespace Modular.NN;

/// <summary>
/// The rules a padding mask obeys: [batch, length], every entry exactly 1 (a token) or 0 (padding), every example
/// with at least one token. Anything else (NaN, 0.5, a row of zeros) would flow into attention and pooling as NaN or
/// as silently wrong weights, so the forward that receives such a mask refuses it.
/// </summary>
public static class PaddingMask
{
    /// <summary>
    /// <paramref name="mask"/> checked in host memory, then on <paramref name="device"/> (itself when it is already
    /// there): batches arrive on the host, and checking them before they move costs no read back from the device. Inside
    /// a forward context that already moved this very mask to the device, that moved mask.
    /// </summary>
    public static Tensor ValidatedOn(Tensor mask, Device device)
    {
        ArgumentNullException.ThrowIfNull(mask);
        ArgumentNullException.ThrowIfNull(device);
        if (ForwardContext.Current is { PaddingMask: { } moved } open && ReferenceEquals(open.PaddingMaskSource, mask) && ReferenceEquals(moved.Device, device) && !moved.IsDisposed)
            return moved;
        if (mask.Device.IsHost && !device.IsHost) Validate(mask); // on the host, ForwardContext.Begin checks it
        return mask.To(device);
    }

    /// <summary>Throws a <see cref="ConfigurationException"/> naming the first entry or row that breaks the rules.</summary>
    public static void Validate(Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.Rank != 2)
            throw new ShapeMismatchException($"Padding mask {mask.Describe()}: a padding mask is [batch, length] (1 = token, 0 = padding).");
        int batch = mask.Size(0), length = mask.Size(1);
        var values = mask.ToArray();
        for (int row = 0; row < batch; row++)
        {
            bool anyToken = false;
            for (int column = 0; column < length; column++)
            {
                float value = values[row * length + column];
                if (value == 1f) anyToken = true;
                else if (value != 0f)
                    throw new ConfigurationException($"Padding mask {mask.Describe()}: entry [{row}, {column}] is {value}; a padding mask holds exactly 1 for a token and 0 for padding. Build it from the sequence lengths (e.g. SequenceDataset does).");
            }
            if (!anyToken && length > 0)
                throw new ConfigurationException($"Padding mask {mask.Describe()}: row {row} is all zeros, so example {row} has no token to attend to or pool over (its output would be NaN or meaningless). Drop empty examples or give each at least one token.");
        }
    }
}
