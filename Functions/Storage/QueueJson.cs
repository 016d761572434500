using Azure.Storage.Queues;

namespace SocialLearning.Storage;

/// <summary>JSON queue message helpers (the Functions queue trigger binds JSON bodies to records).</summary>
public static class QueueJson
{
    private static readonly System.Text.Json.JsonSerializerOptions Options = new(System.Text.Json.JsonSerializerDefaults.Web);

    /// <summary>Sends <paramref name="value"/> as JSON; the client Base64-encodes it.</summary>
    public static Task SendJsonAsync<T>(this QueueClient queue, T value, CancellationToken cancellationToken, TimeSpan? visibilityDelay = null) =>
        queue.SendMessageAsync(System.Text.Json.JsonSerializer.Serialize(value, Options), visibilityDelay, cancellationToken: cancellationToken);

    /// <summary>Parses a queue message body; throws <see cref="System.Text.Json.JsonException"/> with the body when it is not <typeparamref name="T"/>.</summary>
    public static T Parse<T>(string body) =>
        System.Text.Json.JsonSerializer.Deserialize<T>(body, Options)
        ?? throw new System.Text.Json.JsonException($"Queue message is not a {typeof(T).Name}: {body}");
}
