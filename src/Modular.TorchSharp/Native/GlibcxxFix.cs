namespace Modular.TorchSharp.Native;

/// <summary>The outcome of <see cref="GlibcxxAnchorFix.Apply"/> for one library file.</summary>
/// <param name="LibraryPath">The copy of libLibTorchSharp.so that was examined.</param>
/// <param name="Status">What was found and done.</param>
/// <param name="Detail">The versions still missing (<see cref="GlibcxxFixStatus.OtherVersionsMissing"/>) or the I/O error (<see cref="GlibcxxFixStatus.NotWritable"/>); empty otherwise.</param>
public sealed record GlibcxxFix(string LibraryPath, GlibcxxFixStatus Status, string Detail = "")
{
    /// <inheritdoc/>
    public override string ToString() => $"{LibraryPath}: {Status}{(Detail.Length > 0 ? $" ({Detail})" : "")}";
}
