using Microsoft.AspNetCore.WebUtilities;

namespace SocialLearning.Intake;

/// <summary>
/// The validation handshake of Graph webhooks: when a subscription is created (and for lifecycle URLs), Graph POSTs to the
/// notification URL with a <c>validationToken</c> query parameter and expects, within 10 s, 200 OK with the token,
/// URL-decoded, as <c>text/plain</c> (source: "Receive change notifications through webhooks", notification endpoint
/// validation, learn.microsoft.com/graph/change-notifications-delivery-webhooks). Pure string work: no storage, no Graph,
/// no service resolution, so a cold start answers in time.
/// </summary>
public static class GraphValidation
{
    /// <summary>The query parameter Graph sends.</summary>
    public const string TokenParameter = "validationToken";

    /// <summary>
    /// The decoded <c>validationToken</c> of <paramref name="queryString"/> (raw, as sent, with or without the leading
    /// <c>?</c>), or null when the request is not a validation request. Decoding happens exactly once, with the rules of
    /// form query strings (<c>%XX</c> escapes and <c>+</c> for a space), so a token containing <c>%25</c> comes back as
    /// <c>%</c>-literal text, never decoded twice.
    /// </summary>
    public static string? TokenFrom(string? queryString)
    {
        if (string.IsNullOrEmpty(queryString)) return null;
        var query = QueryHelpers.ParseQuery(queryString);
        return query.TryGetValue(TokenParameter, out var values) && values.Count > 0 ? values[0] : null;
    }
}
