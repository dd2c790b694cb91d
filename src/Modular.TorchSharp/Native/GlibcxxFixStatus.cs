namespace Modular.TorchSharp.Native;

/// <summary>What <see cref="GlibcxxAnchorFix.Apply"/> decided for one copy of libLibTorchSharp.so.</summary>
public enum GlibcxxFixStatus
{
    /// <summary>The host's libstdc++ defines the anchor's version: the library loads as shipped and was left alone.</summary>
    HostHasVersion,
    /// <summary>The library does not require the anchor's version (another TorchSharp build); left alone.</summary>
    NotRequired,
    /// <summary>The requirement was already weak (patched before); left alone.</summary>
    AlreadyWeak,
    /// <summary>The requirement was made weak now.</summary>
    MadeWeak,
    /// <summary>The host's libstdc++ also lacks other versions the library requires, so weakening the anchor would not make it load; left alone.</summary>
    OtherVersionsMissing,
    /// <summary>The file could not be rewritten (permissions, read-only file system); <see cref="GlibcxxFix.Detail"/> says why.</summary>
    NotWritable,
}
