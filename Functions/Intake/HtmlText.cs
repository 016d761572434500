using AngleSharp.Html.Parser;

namespace SocialLearning.Intake;

/// <summary>Converts HTML (mail bodies, Stack Exchange posts) to readable plain text.</summary>
public static class HtmlText
{
    private static readonly HtmlParser Parser = new();

    /// <summary>Returns the visible text of <paramref name="html"/>; paragraphs become blank-line separated.</summary>
    /// <param name="html">An HTML fragment or document; null or empty gives "".</param>
    public static string ToText(string? html)
    {
        if (string.IsNullOrWhiteSpace(html)) return string.Empty;
        var doc = Parser.ParseDocument(html);
        return (doc.Body?.TextContent ?? doc.DocumentElement.TextContent).Trim();
    }
}
