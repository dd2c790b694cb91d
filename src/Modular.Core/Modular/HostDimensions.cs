using Modular.NN;

namespace Modular;

/// <summary>The widths of the layers modules attach to, read from the layers themselves.</summary>
internal static class HostDimensions
{
    /// <summary>Width of the last dimension of the host's input, or null when it cannot be known.</summary>
    public static int? Input(Module host) => host switch
    {
        Linear linear => linear.InFeatures,
        FeedForward ff => ff.Up.InFeatures,
        MultiHeadSelfAttention attention => attention.Dimension,
        TransformerEncoderLayer layer => layer.OutputNorm.Features,
        NN.LayerNorm norm => norm.Features,
        Activation { Width: { } w } => w,
        TransformerEmbeddings embeddings => embeddings.Tokens.Dimension,
        _ => null,
    };

    /// <summary>Width of the last dimension of the host's output, or null when it cannot be known.</summary>
    public static int? Output(Module host) => host switch
    {
        Linear linear => linear.OutFeatures,
        FeedForward ff => ff.Down.OutFeatures,
        _ => Input(host), // the other hosts keep their width
    };
}
