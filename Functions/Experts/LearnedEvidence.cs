using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using SocialLearning.Matching;
using SocialLearning.Storage;

namespace SocialLearning.Experts;

/// <summary>
/// The directory learns from the answers it relays: an answer by a listed expert becomes evidence on their profile — the
/// question's subject and text with the answer, embedded like imported evidence, dated when answered, with the question's
/// time for responsiveness — and counts as one more answer (lifetime answers, last active). The expert's centroid is
/// recomputed from all of their evidence. Routing sees it at the next directory load (<c>Routing:IndexRefreshSeconds</c>).
/// </summary>
/// <remarks>
/// Rows are keyed <c>learned-&lt;question id&gt;</c> in the expert's evidence partition, so a retried handler writes the same
/// row once and counts it once; imports keep them (<see cref="IsLearned"/>) and add them to the answer count, and
/// <c>reembed</c> re-embeds them with the rest. People who are not listed (a colleague brought in by an expert) are not
/// added: experts take part by choice. Off with <c>Routing:LearnFromAnswers</c> = false.
/// </remarks>
public sealed class LearnedEvidence(StorageClients storage, IEmbeddingGenerator<string, Embedding<float>> embeddings, ILogger<LearnedEvidence> logger)
{
    /// <summary>RowKey prefix of learned evidence rows: <c>learned-</c>.</summary>
    public const string RowPrefix = "learned-";

    /// <summary>Shortest answer learned from, in words: 5. "Yes, use the form." teaches routing nothing about the expert.</summary>
    public const int MinAnswerWords = 5;

    /// <summary>Longest evidence text stored, characters (question part at most 1,500, the rest the answer): 4,000.</summary>
    public const int MaxTextLength = 4000;

    /// <summary>The learned evidence rows of every expert (RowKey starting with <see cref="RowPrefix"/>), keys only: one
    /// range query over the Evidence table.</summary>
    /// <param name="storage">Storage clients.</param>
    /// <param name="maxPerPage">Page size, or null for the service's.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public static IAsyncEnumerable<EvidenceEntity> ReadLearnedKeys(StorageClients storage, int? maxPerPage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return storage.Table(TableNames.Evidence).QueryAsync<EvidenceEntity>(
            e => e.RowKey.CompareTo(RowPrefix) >= 0 && e.RowKey.CompareTo(RowPrefix + "\uffff") < 0,
            maxPerPage, ["PartitionKey", "RowKey"], cancellationToken);
    }

    /// <summary>Whether an evidence row was learned from a relayed answer (its RowKey starts with <see cref="RowPrefix"/>).</summary>
    /// <param name="rowKey">An evidence RowKey.</param>
    public static bool IsLearned(string rowKey) => rowKey.StartsWith(RowPrefix, StringComparison.Ordinal);

    /// <summary>
    /// Adds the answer on <paramref name="route"/> to the expert's evidence, unless it is there already, the expert is not
    /// listed (or inactive), the answer is shorter than <see cref="MinAnswerWords"/> words, it says the subject is not the
    /// expert's (<see cref="Intake.ReplyCommands.DisclaimsExpertise"/>), or the stored vectors are of
    /// another embedding model (then <c>reembed</c> first; a warning says so).
    /// </summary>
    /// <param name="question">The answered question.</param>
    /// <param name="route">The route with <see cref="RouteEntity.AnsweredAt"/> and <see cref="RouteEntity.AnswerText"/>.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>What happened, for the log: "learned", or why not.</returns>
    public async Task<string> LearnAsync(QuestionEntity question, RouteEntity route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(route);
        if (route.AnsweredAt is not { } answeredAt) return "not answered";
        if (route.AnswerText.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length < MinAnswerWords) return "answer too short to learn from";
        if (Intake.ReplyCommands.DisclaimsExpertise(route.AnswerText)) return "not learned: the answer says the subject is not the expert's ('not my area')";
        var experts = storage.Table(TableNames.Experts);
        var evidence = storage.Table(TableNames.Evidence);
        var pk = EvidenceEntity.PartitionFor(route.ExpertId);
        var rk = RowPrefix + question.QuestionId;
        if (await evidence.GetOrNullAsync<EvidenceEntity>(pk, rk, cancellationToken).ConfigureAwait(false) is not null) return "learned before";
        var expert = await experts.GetOrNullAsync<ExpertEntity>(ExpertEntity.PartitionFor(route.ExpertId), KeyEncoding.Encode(route.ExpertId), cancellationToken).ConfigureAwait(false);
        if (expert is null || !expert.Active) return "not in the expert directory";

        var subject = Intake.QuestionIds.WithoutTokens(question.Subject);
        var questionPart = Truncate((subject.Length > 0 ? subject + ". " : "") + question.Text, 1500);
        // Without the asker's and the expert's names ("Hi Celine", "Thanks, Anna"): evidence is about the subject, and a
        // greeting would otherwise match the next mail that names the same person.
        var text = WithoutNames(Truncate(questionPart + "\n\nAnswer: " + route.AnswerText, MaxTextLength), [question.AskerName, route.ExpertName, question.AskerEmail.Split('@')[0]]);
        var embedded = (await embeddings.GenerateAsync([text], cancellationToken: cancellationToken).ConfigureAwait(false))[0];
        var model = VectorModel.Of(embedded);
        if (expert.Vector is not null && (expert.VectorModel != model.ModelId || expert.VectorDimensions != model.Dimensions))
        {
            logger.LogWarning("Not learning from {QuestionId} for {ExpertId}: the profile's vectors are {Stored}/{StoredDims}, the model now is {Model}/{Dims}; run reembed",
                question.QuestionId, route.ExpertId, expert.VectorModel, expert.VectorDimensions, model.ModelId, model.Dimensions);
            return "stored vectors are of another model (run reembed)";
        }
        var row = new EvidenceEntity
        {
            PartitionKey = pk, RowKey = rk, Kind = "answer", Title = Truncate(subject.Length > 0 ? subject : "a colleague's question", 300), Text = text,
            When = answeredAt, AskedAt = question.ReceivedAt,
            Vector = VectorCodec.Encode(embedded.Vector.Span), VectorModel = model.ModelId, VectorDimensions = model.Dimensions,
        };
        if (!await evidence.TryAddAsync(row, cancellationToken).ConfigureAwait(false)) return "learned before";

        // The centroid of all the expert's evidence, the new row included; one more answer, and active when answered.
        for (var attempt = 0; ; attempt++)
        {
            var rows = await evidence.ReadAllAsync<EvidenceEntity>(pk, cancellationToken).ConfigureAwait(false);
            var centroid = ExpertIndexEntry.CentroidOf(rows.Where(r => r.Vector is not null && r.VectorModel == model.ModelId && r.VectorDimensions == model.Dimensions)
                .Select(r => (ReadOnlyMemory<float>)VectorCodec.Decode(r.Vector!)));
            expert.Vector = VectorCodec.Encode(centroid);
            expert.VectorModel = model.ModelId;
            expert.VectorDimensions = model.Dimensions;
            expert.AnswerCount++;
            if (expert.LastActive is null || expert.LastActive < answeredAt) expert.LastActive = answeredAt;
            try
            {
                await experts.UpdateEntityAsync(expert, expert.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (RequestFailedException ex) when (ex.Status == 412 && attempt < 10)
            {
                // Changed meanwhile (a pause, another answer learned): read it again and re-apply.
                expert = await experts.GetOrNullAsync<ExpertEntity>(expert.PartitionKey, expert.RowKey, cancellationToken).ConfigureAwait(false);
                if (expert is null) return "learned; the expert left the directory meanwhile";
            }
        }
        logger.LogInformation("Learned from the answer of {ExpertId} to {QuestionId}", route.ExpertId, question.QuestionId);
        return "learned";
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];

    /// <summary>
    /// <paramref name="text"/> with each word of <paramref name="names"/> (3 letters or more; a mail address's local part
    /// split at dots, dashes and underscores) removed where it stands as a whole word, case-insensitive, and the spaces
    /// it leaves collapsed (none before punctuation or at a line's end).
    /// </summary>
    /// <param name="text">An evidence text.</param>
    /// <param name="names">People's names ("Celine Roux") or address local parts ("celine.roux").</param>
    internal static string WithoutNames(string text, IEnumerable<string?> names)
    {
        var words = names.SelectMany(n => (n ?? "").Split([' ', '.', '-', '_', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(w => w.Length >= 3 && w.All(char.IsLetter)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (words.Count == 0) return text;
        var pattern = @"(?<![\p{L}\p{N}])(?:" + string.Join('|', words.Select(System.Text.RegularExpressions.Regex.Escape)) + @")(?![\p{L}\p{N}])";
        var removed = System.Text.RegularExpressions.Regex.Replace(text, pattern, "", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        removed = System.Text.RegularExpressions.Regex.Replace(removed, @"[ \t]{2,}", " ");
        removed = System.Text.RegularExpressions.Regex.Replace(removed, @"[ \t]+(?=[,.!?;:]|$)", "", System.Text.RegularExpressions.RegexOptions.Multiline);
        return removed.Trim();
    }
}
