using System.Text.Json.Nodes;
using MimeKit;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace SocialLearning.Tests.Graph;

/// <summary>Answers of the loopback Graph, shaped like the documentation examples in shared/data/graph.</summary>
internal static class GraphStubs
{
    public const string Mailbox = GraphHarness.Mailbox;

    /// <summary>The request path under /v1.0, with the mailbox's '@' as sent or percent-encoded.</summary>
    public static string[] Paths(string path) =>
        path.Contains('@') ? ["/v1.0" + path, "/v1.0" + path.Replace("@", "%40")] : ["/v1.0" + path];

    public static IResponseBuilder Json(JsonNode body, int status = 200) =>
        Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body.ToJsonString());

    public static void Inbox(WireMockServer server) =>
        server.Given(Request.Create().UsingGet().WithPath(Paths($"/users/{Mailbox}/mailFolders/inbox")))
            .RespondWith(Json(new JsonObject { ["id"] = GraphHarness.InboxId }));

    /// <summary>The message metadata (message-get example with our id, folder and sender).</summary>
    public static JsonObject Metadata(string id, string from, string folder)
    {
        var json = GraphSamples.Load("message/message-get__02__response__get_message.json");
        json["id"] = id;
        json["parentFolderId"] = folder;
        json["from"]!["emailAddress"]!["address"] = from;
        json["sender"]!["emailAddress"]!["address"] = from;
        json["toRecipients"]![0]!["emailAddress"]!["address"] = Mailbox;
        return json;
    }

    /// <summary>Stubs GET message (metadata) and GET message/$value (MIME) for <paramref name="mime"/>.</summary>
    public static void Message(WireMockServer server, string id, MimeMessage mime, string? folder = null)
    {
        Inbox(server);
        server.Given(Request.Create().UsingGet().WithPath(Paths($"/users/{Mailbox}/messages/{id}")))
            .AtPriority(10).RespondWith(Json(Metadata(id, mime.From.Mailboxes.First().Address, folder ?? GraphHarness.InboxId)));
        using var buffer = new MemoryStream();
        mime.WriteTo(buffer);
        server.Given(Request.Create().UsingGet().WithPath(Paths($"/users/{Mailbox}/messages/{id}/$value")))
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "text/plain").WithBody(buffer.ToArray()));
    }

    public static MimeMessage Question(string messageId, string subject, string body, string from = "Pieter de Vries <pieter.devries@contoso.example>")
    {
        var m = new MimeMessage();
        m.From.Add(MailboxAddress.Parse(from));
        m.To.Add(MailboxAddress.Parse(Mailbox));
        m.Subject = subject;
        m.MessageId = messageId;
        m.Date = new DateTimeOffset(2026, 11, 20, 9, 30, 0, TimeSpan.Zero);
        m.Body = new TextPart("plain") { Text = body };
        return m;
    }

    /// <summary>A change notification collection (webhooks example) with one item per (subscription, clientState, message id).</summary>
    public static JsonObject Notifications(params (string SubscriptionId, string ClientState, string MessageId)[] items)
    {
        var template = GraphSamples.Load("notifications/webhooks__04.json")["value"]![0]!;
        var value = new JsonArray();
        foreach (var (sub, state, id) in items)
        {
            var item = template.DeepClone().AsObject();
            item["subscriptionId"] = sub;
            item["clientState"] = state;
            item["resource"] = $"Users/{Mailbox}/Messages/{id}";
            item["resourceData"]!["id"] = id;
            value.Add(item);
        }
        return new JsonObject { ["value"] = value };
    }

    /// <summary>A lifecycle notification collection from the example file for <paramref name="sample"/>.</summary>
    public static JsonObject Lifecycle(string sample, string subscriptionId, string clientState)
    {
        var json = GraphSamples.Load("notifications/" + sample);
        json["value"]![0]!["subscriptionId"] = subscriptionId;
        json["value"]![0]!["clientState"] = clientState;
        return json;
    }

    /// <summary>
    /// Stubs the delta query: the first page (the message-delta example: one message and an @odata.nextLink) then a second
    /// page with the remaining ids and an @odata.deltaLink. Returns the delta link the catch-up should store.
    /// </summary>
    /// <param name="server">The Graph stand-in.</param>
    /// <param name="baseUrl">Its base URL.</param>
    /// <param name="firstPage">Message ids of the first page.</param>
    /// <param name="secondPage">Message ids of the second page.</param>
    /// <param name="received">When each id was received; null: 5 minutes ago.</param>
    public static string Delta(WireMockServer server, string baseUrl, string[] firstPage, string[] secondPage, Func<string, DateTimeOffset>? received = null)
    {
        var next = baseUrl + $"/users/{Mailbox}/mailFolders/inbox/messages/delta?$skiptoken=page2";
        var deltaLink = baseUrl + $"/users/{Mailbox}/mailFolders/inbox/messages/delta?$deltatoken=after-page2";
        var page1 = GraphSamples.Load("message/message-delta__02__response.json");
        var template = page1["value"]![0]!;
        page1["@odata.nextLink"] = next;
        page1["value"] = Items(template, firstPage, received);
        var page2 = new JsonObject { ["@odata.deltaLink"] = deltaLink, ["value"] = Items(template, secondPage, received) };
        // The SDK's first request goes to …/messages/delta() (its URL template); links are followed as Graph wrote them.
        string[] paths = [.. Paths($"/users/{Mailbox}/mailFolders/inbox/messages/delta"), .. Paths($"/users/{Mailbox}/mailFolders/inbox/messages/delta()")];
        server.Given(Request.Create().UsingGet().WithPath(paths).WithParam("$skiptoken", "page2"))
            .AtPriority(1).RespondWith(Json(page2));
        server.Given(Request.Create().UsingGet().WithPath(paths))
            .AtPriority(5).RespondWith(Json(page1));
        return deltaLink;
    }

    /// <summary>Delta items for <paramref name="ids"/> shaped like <paramref name="template"/>.</summary>
    public static JsonArray Items(JsonNode template, string[] ids, Func<string, DateTimeOffset>? received = null)
    {
        var array = new JsonArray();
        foreach (var id in ids)
        {
            var item = template.DeepClone().AsObject();
            item["id"] = id;
            var at = received?.Invoke(id) ?? DateTimeOffset.UtcNow.AddMinutes(-5);
            item["receivedDateTime"] = at.ToString("O");
            item["sentDateTime"] = at.AddMinutes(-1).ToString("O");
            array.Add(item);
        }
        return array;
    }
}
