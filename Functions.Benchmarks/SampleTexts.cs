using System.Text;
using SocialLearning.Experts;

namespace SocialLearning.Benchmarks;

/// <summary>Realistic texts for embedding measurements, taken from the built-in sample questions.</summary>
public static class SampleTexts
{
    /// <summary>The first <paramref name="count"/> sample subject lines (short sentences, about 20–60 characters), cycled if needed.</summary>
    /// <param name="count">Number of texts.</param>
    /// <returns>The texts.</returns>
    public static string[] ShortSentences(int count)
    {
        var questions = SampleDirectory.Questions();
        return [.. Enumerable.Range(0, count).Select(i => questions[i % questions.Count].Subject)];
    }

    /// <summary>
    /// <paramref name="count"/> distinct texts of about <paramref name="length"/> characters: sample question bodies
    /// (whitespace collapsed) concatenated from a different starting question each, cut at a word boundary.
    /// </summary>
    /// <param name="count">Number of texts.</param>
    /// <param name="length">Target length in characters.</param>
    /// <returns>The texts.</returns>
    public static string[] LongTexts(int count, int length)
    {
        var bodies = SampleDirectory.Questions().Select(q => string.Join(' ', (q.Subject + " " + q.Body).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))).ToArray();
        var texts = new string[count];
        for (var t = 0; t < count; t++)
        {
            var builder = new StringBuilder();
            for (var j = t; builder.Length < length; j++)
            {
                builder.Append(bodies[j % bodies.Length]).Append(' ');
            }

            var cut = builder.ToString(0, length).LastIndexOf(' ');
            texts[t] = builder.ToString(0, cut > length - 40 ? cut : length);
        }

        return texts;
    }

    /// <summary>Each sample question as the router sees it: the embedded text and the BM25 text.</summary>
    /// <returns>One (embedded, lexical) pair per sample question.</returns>
    public static (string Embedded, string Lexical)[] Questions() =>
        [.. SampleDirectory.Questions().Select(q => (Routing.QuestionRouter.QueryText(q.Subject, q.Body), Routing.QuestionRouter.LexicalText(q.Subject, q.Body)))];

    /// <summary>
    /// Synthetic evidence texts for BM25: <paramref name="words"/> words each, drawn with a Zipf-like skew (word rank ≈ V·u²)
    /// from the vocabulary of the sample questions, so that real questions share terms with them.
    /// </summary>
    /// <param name="random">Generator.</param>
    /// <param name="count">Number of texts.</param>
    /// <param name="words">Words per text.</param>
    /// <returns>The texts.</returns>
    public static string[] EvidenceTexts(Random random, int count, int words)
    {
        var vocabulary = SampleDirectory.Questions()
            .SelectMany(q => (q.Subject + " " + q.Body).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            .Select(w => w.Trim(',', '.', '?', '!', ':', ';', '(', ')', '"').ToLowerInvariant())
            .Where(w => w.Length > 0)
            .GroupBy(w => w, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count())
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Key)
            .ToArray();
        var texts = new string[count];
        var builder = new StringBuilder();
        for (var t = 0; t < count; t++)
        {
            builder.Clear();
            for (var w = 0; w < words; w++)
            {
                var u = random.NextDouble();
                builder.Append(vocabulary[(int)(vocabulary.Length * u * u)]).Append(' ');
            }

            texts[t] = builder.ToString(0, builder.Length - 1);
        }

        return texts;
    }
}
