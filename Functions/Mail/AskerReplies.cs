using System.Text.Json;

namespace SocialLearning.Mail;

/// <summary>
/// The asker's replies in a question's thread (<see cref="Storage.QuestionEntity.AskerRepliesJson"/>): a JSON array of
/// <c>{"at": "2026-11-20T10:02:00+00:00", "text": "…", "ref": "12 hex"}</c> in arrival order, so each expert's
/// <see cref="Storage.RouteEntity.AskerRepliesRelayed"/> counts a prefix of it.
/// </summary>
public static class AskerReplies
{
    /// <summary>Most asker replies kept per question: 20.</summary>
    public const int MaxReplies = 20;

    /// <summary>Longest text kept per reply, characters (cut at a word, with the marker): 4,000.</summary>
    public const int MaxTextLength = 4000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>One reply of the asker.</summary>
    /// <param name="At">When it was written (its mail's Date, clamped as answers are).</param>
    /// <param name="Text">Its visible text.</param>
    /// <param name="Ref">12 hex of the hash of its mail's mailbox reference, so a retried handler does not add it twice;
    /// null in replies stored without one.</param>
    /// <param name="For">The expert id the reply is for — written to that expert's relayed answer while others answered
    /// too — or null: for every expert it is relayed to.</param>
    public sealed record Reply(DateTimeOffset At, string Text, string? Ref = null, string? For = null);

    /// <summary>Whether <paramref name="reply"/> goes to <paramref name="expertId"/> (it is for everyone, or for them).</summary>
    public static bool IsFor(Reply reply, string expertId) => reply.For is null || reply.For == expertId;

    /// <summary>The stored replies, in arrival order; empty for "" or unreadable JSON.</summary>
    /// <param name="json">The stored value.</param>
    public static IReadOnlyList<Reply> Read(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        try
        {
            return JsonSerializer.Deserialize<List<Reply>>(json, Json) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>The <see cref="Reply.Ref"/> of a reply's mail: 12 hex of the hash of its mailbox reference.</summary>
    /// <param name="messageRef">The mailbox reference of the reply's mail.</param>
    public static string Key(string messageRef) => Storage.KeyEncoding.Hash(messageRef)[..12];

    /// <summary>
    /// <paramref name="json"/> with one more reply at the end; <paramref name="json"/> itself when the reply of that mail
    /// is there already; null when <see cref="MaxReplies"/> are stored already.
    /// </summary>
    /// <param name="json">The stored value.</param>
    /// <param name="at">When the reply was written.</param>
    /// <param name="text">Its visible text.</param>
    /// <param name="messageRef">The mailbox reference of the reply's mail.</param>
    /// <param name="rest">For a text cut at <see cref="MaxTextLength"/>: whom to ask for the rest (see <see cref="Intake.InboundMailHandler.CutText"/>); null for none.</param>
    /// <param name="forExpert">The expert id the reply is for alone (<see cref="Reply.For"/>), or null for every expert.</param>
    public static string? Add(string? json, DateTimeOffset at, string text, string messageRef, string? rest = null, string? forExpert = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var replies = Read(json).ToList();
        var key = Key(messageRef);
        if (replies.Any(r => r.Ref == key)) return json;
        if (replies.Count >= MaxReplies) return null;
        replies.Add(new Reply(at, Intake.InboundMailHandler.CutText(text.Trim(), MaxTextLength, rest), key, forExpert));
        return JsonSerializer.Serialize(replies, Json);
    }
}
