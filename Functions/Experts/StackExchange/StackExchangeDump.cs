using SocialLearning.Intake;

namespace SocialLearning.Experts.StackExchange;

/// <summary>
/// Loads one Stack Exchange site from its data-dump files into a <see cref="DumpSite"/>: the files are streamed by
/// <see cref="StackExchangeDumpReader"/>, bodies and "about me" are converted to plain text with
/// <see cref="HtmlText.ToText(string)"/>. The resulting site is held in memory (a few MB of text for a small site such as
/// quantumcomputing: 612 questions, 1,060 answers, 3,461 users).
/// </summary>
public static class StackExchangeDump
{
    /// <summary>File name of the posts file in a dump site folder.</summary>
    public const string PostsFileName = "Posts.xml";

    /// <summary>File name of the users file in a dump site folder.</summary>
    public const string UsersFileName = "Users.xml";

    /// <summary>
    /// Loads a site folder: either the folder that holds <c>Posts.xml</c> and <c>Users.xml</c>, or a folder with a
    /// <c>raw/</c> sub-folder that does (the layout of <c>shared/data/cqa/&lt;site&gt;/</c>).
    /// </summary>
    /// <param name="siteFolder">Path of the site folder.</param>
    /// <param name="cancellationToken">Checked before each row.</param>
    /// <returns>The site.</returns>
    /// <exception cref="FileNotFoundException">Neither the folder nor its <c>raw/</c> holds both files.</exception>
    /// <exception cref="InvalidDataException">A file is empty, cut off or not well-formed XML (the message names it).</exception>
    public static DumpSite Load(string siteFolder, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(siteFolder);
        RequireFolder(siteFolder);
        var folder = ResolveRawFolder(siteFolder);
        var posts = Path.Combine(folder, PostsFileName);
        var users = Path.Combine(folder, UsersFileName);
        return Load(Named(StackExchangeDumpReader.ReadPosts(posts, cancellationToken), posts), Named(StackExchangeDumpReader.ReadUsers(users, cancellationToken), users));
    }

    /// <summary><paramref name="rows"/>, with an XML error turned into one that names <paramref name="path"/>.</summary>
    private static IEnumerable<T> Named<T>(IEnumerable<T> rows, string path)
    {
        using var e = rows.GetEnumerator();
        while (true)
        {
            bool more;
            try
            {
                more = e.MoveNext();
            }
            catch (System.Xml.XmlException ex)
            {
                throw new InvalidDataException($"'{path}' is not a readable Stack Exchange dump file (empty, cut off or not XML): {ex.Message}", ex);
            }
            if (!more) yield break;
            yield return e.Current;
        }
    }

    /// <summary>Loads a site from two streams (for example in-memory test dumps). Neither stream is closed.</summary>
    /// <param name="posts">Contents of <c>Posts.xml</c>.</param>
    /// <param name="users">Contents of <c>Users.xml</c>.</param>
    /// <param name="cancellationToken">Checked before each row.</param>
    /// <returns>The site.</returns>
    /// <exception cref="System.Xml.XmlException">A stream is not well-formed XML.</exception>
    public static DumpSite Load(Stream posts, Stream users, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(posts);
        ArgumentNullException.ThrowIfNull(users);
        return Load(
            StackExchangeDumpReader.ReadPosts(posts, cancellationToken),
            StackExchangeDumpReader.ReadUsers(users, cancellationToken));
    }

    /// <summary>
    /// Builds a site from already-read rows. Questions without a creation date, and answers without a creation date
    /// or <c>ParentId</c>, cannot be placed on the time line and are dropped (counted in <see cref="DumpSite.SkippedRows"/>).
    /// </summary>
    /// <param name="posts">Question and answer rows, in dump order.</param>
    /// <param name="users">User rows, in dump order.</param>
    /// <returns>The site.</returns>
    public static DumpSite Load(IEnumerable<DumpPostRow> posts, IEnumerable<DumpUserRow> users)
    {
        ArgumentNullException.ThrowIfNull(posts);
        ArgumentNullException.ThrowIfNull(users);
        var questions = new List<DumpQuestion>();
        var answers = new List<DumpAnswer>();
        var skipped = 0;
        var withoutParent = 0;
        var skippedIds = new List<int>();
        void Skip(int id)
        {
            skipped++;
            if (skippedIds.Count < DumpSite.SkippedIdsKept) skippedIds.Add(id);
        }
        foreach (var row in posts)
        {
            if (row.Created is not DateTimeOffset created)
            {
                Skip(row.Id);
                continue;
            }
            if (row.Kind == DumpPostKind.Question)
            {
                questions.Add(new DumpQuestion(row.Id, created, row.Title?.Trim() ?? "", HtmlText.ToText(row.BodyHtml),
                    row.Tags, row.OwnerUserId, row.OwnerDisplayName, row.AcceptedAnswerId, row.Score));
            }
            else if (row.ParentId is int parent)
            {
                answers.Add(new DumpAnswer(row.Id, parent, created, row.OwnerUserId, row.OwnerDisplayName, row.Score,
                    HtmlText.ToText(row.BodyHtml)));
            }
            else
            {
                Skip(row.Id);
                withoutParent++;
            }
        }
        var userList = users.Select(u => new DumpUser(u.Id, u.DisplayName?.Trim() ?? "", HtmlText.ToText(u.AboutMeHtml), u.Reputation));
        return new DumpSite(questions, answers, userList, skipped, skippedIds, withoutParent);
    }

    /// <summary>
    /// Checks that <paramref name="siteFolder"/> is a folder, before anything is read: throws
    /// <see cref="DirectoryNotFoundException"/> saying it does not exist, or that it is a file (the dump's folder is wanted).
    /// </summary>
    /// <param name="siteFolder">The folder given as <c>--dump</c>.</param>
    public static void RequireFolder(string siteFolder)
    {
        if (Directory.Exists(siteFolder)) return;
        throw new DirectoryNotFoundException(File.Exists(siteFolder)
            ? $"'{siteFolder}' is a file; --dump takes the Stack Exchange dump's folder (with Posts.xml and Users.xml, or its raw/ folder)."
            : $"Stack Exchange dump folder '{siteFolder}' does not exist.");
    }

    private static string ResolveRawFolder(string siteFolder)
    {
        foreach (var candidate in new[] { siteFolder, Path.Combine(siteFolder, "raw") })
        {
            if (File.Exists(Path.Combine(candidate, PostsFileName)) && File.Exists(Path.Combine(candidate, UsersFileName)))
                return candidate;
        }
        foreach (var candidate in new[] { siteFolder, Path.Combine(siteFolder, "raw") })
        {
            var hasPosts = File.Exists(Path.Combine(candidate, PostsFileName));
            if (hasPosts != File.Exists(Path.Combine(candidate, UsersFileName)))
                throw new FileNotFoundException(
                    $"'{candidate}' has {(hasPosts ? PostsFileName : UsersFileName)} but no {(hasPosts ? UsersFileName : PostsFileName)}; a dump site needs both.",
                    Path.Combine(candidate, hasPosts ? UsersFileName : PostsFileName));
        }
        throw new FileNotFoundException(
            $"No {PostsFileName} and {UsersFileName} in '{siteFolder}' or its 'raw' sub-folder.",
            Path.Combine(siteFolder, PostsFileName));
    }
}
