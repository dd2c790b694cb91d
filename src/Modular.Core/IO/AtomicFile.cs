namespace Modular.IO;

/// <summary>
/// Writes files so that a reader sees either the previous content or the complete new content, never a torn
/// file: each file is written to a temporary file in the same directory, flushed to disk, then renamed over the
/// target. Renaming within one directory is atomic on the file systems .NET supports.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> atomically with the bytes <paramref name="writeContent"/> puts into the stream.</summary>
    public static void Write(string path, Action<Stream> writeContent) => WriteAll([(path, writeContent)]);

    /// <summary>Writes <paramref name="content"/> as UTF-8 without a byte-order mark, atomically.</summary>
    public static void WriteAllText(string path, string content) =>
        Write(path, stream =>
        {
            var bytes = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(content);
            stream.Write(bytes);
        });

    /// <summary>
    /// Writes several files: all contents are written to temporary files first, and only when every one succeeded
    /// are they renamed into place, in the order given. A failure while writing leaves every target untouched and
    /// removes the temporary files. Put the file whose presence marks the set as complete last.
    /// </summary>
    public static void WriteAll(IReadOnlyList<(string Path, Action<Stream> WriteContent)> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var targets = files.Select(f => Path.GetFullPath(f.Path)).ToArray();
        if (targets.Distinct(StringComparer.Ordinal).Count() != targets.Length)
            throw new ArgumentException($"AtomicFile.WriteAll was given the same target twice: {string.Join(", ", targets)}.", nameof(files));

        var temporaries = new List<string>(files.Count);
        try
        {
            for (int i = 0; i < files.Count; i++)
            {
                string temporary = TemporaryPathBeside(targets[i]);
                temporaries.Add(temporary);
                WriteDurably(temporary, files[i].WriteContent);
            }
            for (int i = 0; i < files.Count; i++) File.Move(temporaries[i], targets[i], overwrite: true);
        }
        catch
        {
            foreach (var temporary in temporaries) DeleteQuietly(temporary);
            throw;
        }
    }

    // Same directory as the target, so the final rename never crosses file systems; hidden and unique, so
    // concurrent writers and directory listings do not trip over it.
    private static string TemporaryPathBeside(string target) =>
        Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");

    private static void WriteDurably(string path, Action<Stream> writeContent)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        writeContent(stream);
        // Without this, a crash soon after the rename can leave an empty file under the target name
        // (the rename reaches the disk before the data does on journaling file systems with delayed allocation).
        stream.Flush(flushToDisk: true);
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The original failure is the one worth reporting; a stray temporary file is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
