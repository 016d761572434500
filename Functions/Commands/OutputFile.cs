namespace SocialLearning.Commands;

/// <summary>
/// Checks a command's output-file option (<c>--csv</c>, <c>--json</c>) before the command does any work, so a bad path
/// is a clear error at once instead of a failure after a long run.
/// </summary>
public static class OutputFile
{
    /// <summary>Prints a <see cref="Validate"/> notice as a grey console line.</summary>
    /// <param name="line">The notice.</param>
    public static void Notice(string line) => Spectre.Console.AnsiConsole.MarkupLine($"[grey]{Spectre.Console.Markup.Escape(line)}[/]");

    /// <summary>The message for an option given a blank path, e.g. "--csv needs a file path, for example --csv outcomes.csv."</summary>
    /// <param name="option">The option, e.g. <c>--csv</c>.</param>
    /// <param name="kind">"file" or "folder".</param>
    /// <param name="example">An example value.</param>
    internal static string NeedsPath(string option, string kind, string example) => $"{option} needs a {kind} path, for example {option} {example}.";

    /// <summary>
    /// Returns the full path of <paramref name="path"/> once it is known to be writable as a file: its folder is created
    /// when missing (as the commands always did), an existing file is opened for writing without being changed, and a new
    /// one is created and deleted again at once (so a failed run leaves nothing behind).
    /// </summary>
    /// <param name="path">The path as the user gave it (relative to the working directory, or absolute).</param>
    /// <param name="option">The option's name for the message, for example <c>--csv</c>.</param>
    /// <param name="example">A file name to suggest when <paramref name="path"/> is a folder, for example <c>outcomes.csv</c>.</param>
    /// <param name="notice">Receives one line when folders had to be created ("Created the folder /x/y for --csv."), so a
    /// mistyped path does not put the file somewhere unexpected without a word; null = not told.</param>
    /// <returns>The absolute path.</returns>
    /// <exception cref="ArgumentException">The path is empty, is an existing folder, or cannot be written (a parent is a
    /// file, no permission, read-only file system, invalid name); the message names the path, the option and what is
    /// expected.</exception>
    public static string Validate(string path, string option, string example, Action<string>? notice = null)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new ArgumentException(NeedsPath(option, "file", example));
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new ArgumentException($"{option} '{path}' is not a valid file path: {ex.Message}");
        }
        // A path that ends in a separator names a folder, existing or not: refused before anything is created.
        if (Directory.Exists(full) || path.EndsWith(Path.DirectorySeparatorChar) || path.EndsWith(Path.AltDirectorySeparatorChar))
            throw new ArgumentException($"{option} '{full}' is a folder; give a file path, for example {Path.Combine(full, example)}.");
        for (var parent = Path.GetDirectoryName(full); !string.IsNullOrEmpty(parent); parent = Path.GetDirectoryName(parent))
        {
            if (File.Exists(parent))
                throw new ArgumentException($"{option} '{full}' cannot be written: '{parent}' is a file, not a folder. Give a file path in a folder you can write to.");
        }
        try
        {
            var folder = Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
            {
                // The top-most folder that is missing: what the user will have to find (or remove) afterwards.
                var created = folder;
                for (var up = Path.GetDirectoryName(created); !string.IsNullOrEmpty(up) && !Directory.Exists(up); up = Path.GetDirectoryName(up)) created = up;
                Directory.CreateDirectory(folder);
                notice?.Invoke(created == folder ? $"Created the folder {folder} for {option}." : $"Created the folders {created} … {folder} for {option}.");
            }
            if (File.Exists(full))
            {
                using (new FileStream(full, FileMode.Open, FileAccess.Write, FileShare.ReadWrite)) { }
            }
            else
            {
                using (new FileStream(full, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{option} '{full}' cannot be written: {ex.Message} Give a file path in a folder you can write to.");
        }
        return full;
    }
}
