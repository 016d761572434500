namespace SocialLearning.Experts.StackExchange;

/// <summary>The post types the dump reader keeps (<c>PostTypeId</c> in <c>Posts.xml</c>); all others are skipped.</summary>
public enum DumpPostKind
{
    /// <summary><c>PostTypeId="1"</c>: a question.</summary>
    Question = 1,

    /// <summary><c>PostTypeId="2"</c>: an answer (its <c>ParentId</c> is the question).</summary>
    Answer = 2,
}

/// <summary>
/// One <c>&lt;row&gt;</c> of a Stack Exchange dump's <c>Posts.xml</c>, as written, before any HTML conversion.
/// Attributes missing from the row are null (numbers, dates, strings) or empty (tags); the score defaults to 0.
/// Schema: the official data dump (archive.org/details/stackexchange), see <c>shared/data/cqa/README.md</c>.
/// </summary>
/// <param name="Id">Post id (<c>Id</c>).</param>
/// <param name="Kind">Question or answer (<c>PostTypeId</c> 1 or 2).</param>
/// <param name="ParentId">For an answer, the question's post id (<c>ParentId</c>); null for questions or when absent.</param>
/// <param name="AcceptedAnswerId">For a question, the accepted answer's post id (<c>AcceptedAnswerId</c>), or null.</param>
/// <param name="OwnerUserId">Author's user id (<c>OwnerUserId</c>); null when absent (deleted user); -1 is the Community bot.</param>
/// <param name="OwnerDisplayName">Author name kept on the post (<c>OwnerDisplayName</c>, usually only for deleted users), or null.</param>
/// <param name="Created"><c>CreationDate</c> read as UTC (the dump writes no zone), or null when absent or unparseable.</param>
/// <param name="Score">Net votes (<c>Score</c>); 0 when absent.</param>
/// <param name="Title">Question title, plain text (<c>Title</c>, already XML-decoded); null for answers.</param>
/// <param name="BodyHtml">Post body as HTML (<c>Body</c>, XML-decoded), or null.</param>
/// <param name="Tags">Question tags in dump order (<c>Tags</c>, <c>&lt;a&gt;&lt;b&gt;</c> or <c>|a|b|</c>); empty for answers.</param>
public sealed record DumpPostRow(
    int Id,
    DumpPostKind Kind,
    int? ParentId,
    int? AcceptedAnswerId,
    int? OwnerUserId,
    string? OwnerDisplayName,
    DateTimeOffset? Created,
    int Score,
    string? Title,
    string? BodyHtml,
    IReadOnlyList<string> Tags);

/// <summary>
/// One <c>&lt;row&gt;</c> of a Stack Exchange dump's <c>Users.xml</c>, as written. Missing attributes are null
/// (reputation: 0).
/// </summary>
/// <param name="Id">User id (<c>Id</c>); -1 is the Community bot.</param>
/// <param name="DisplayName">Public name (<c>DisplayName</c>), or null.</param>
/// <param name="AboutMeHtml">Profile text as HTML (<c>AboutMe</c>, XML-decoded), or null.</param>
/// <param name="Reputation">Reputation points (<c>Reputation</c>); 0 when absent.</param>
/// <param name="Created">Account <c>CreationDate</c> as UTC, or null.</param>
public sealed record DumpUserRow(int Id, string? DisplayName, string? AboutMeHtml, int Reputation, DateTimeOffset? Created);
