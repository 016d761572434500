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

    /// <summary>The embedded text of each sample question as the router builds it (subject, newline, body).</summary>
    /// <returns>One query text per sample question.</returns>
    public static string[] Questions() =>
        [.. SampleDirectory.Questions().Select(q => Routing.QuestionRouter.QueryText(q.Subject, q.Body))];
}
