namespace SocialLearning.Matching;

/// <summary>Input checks shared by every embedding generator of this project.</summary>
internal static class EmbeddingInput
{
    /// <summary>
    /// Materialises <paramref name="values"/> and rejects null, empty or whitespace-only items: an embedding of
    /// nothing is a meaningless vector that would still score against everything.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is null.</exception>
    /// <exception cref="ArgumentException">An item is null, empty or whitespace; the message names its index.</exception>
    public static string[] Validate(IEnumerable<string> values, string paramName)
    {
        ArgumentNullException.ThrowIfNull(values, paramName);
        var array = values as string[] ?? values.ToArray();
        for (var i = 0; i < array.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(array[i]))
            {
                var what = array[i] is null ? "null" : array[i].Length == 0 ? "empty" : "whitespace only";
                throw new ArgumentException($"Input {i} is {what}; there is nothing to embed. Remove it or supply text.", $"{paramName}[{i}]");
            }
        }

        return array;
    }
}
