using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;

namespace SocialLearning.Graph;

/// <summary>
/// Builds the app's <see cref="GraphServiceClient"/>: service root from <see cref="GraphOptions.BaseUrl"/>, the SDK's
/// default middleware with its retry handler replaced by <see cref="RetryAfterHandler"/> (so throttling follows the
/// service's settings and is tested), and <see cref="MailboxConcurrencyHandler"/> innermost.
/// </summary>
public static class GraphClientBuilder
{
    /// <summary>The application permission scope of Graph for client-credential tokens.</summary>
    public const string DefaultScope = "https://graph.microsoft.com/.default";

    /// <summary>
    /// Production credential: <see cref="DefaultAzureCredential"/> (the Function app's managed identity in Azure, the
    /// developer's <c>az login</c> locally), with <see cref="GraphOptions.ManagedIdentityClientId"/> for a user-assigned
    /// identity. No client secret is read from settings.
    /// </summary>
    public static TokenCredential DefaultCredential(GraphOptions options) =>
        new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = string.IsNullOrWhiteSpace(options.ManagedIdentityClientId) ? null : options.ManagedIdentityClientId,
        });

    /// <summary>
    /// An authentication provider that attaches tokens of <paramref name="credential"/> (scope <see cref="DefaultScope"/>)
    /// only to Microsoft Graph's own hosts (the SDK's list: graph.microsoft.com and the national clouds' Graph hosts), so a
    /// token never leaves for another host, such as a loopback stand-in in tests.
    /// </summary>
    public static IAuthenticationProvider TokenAuthentication(TokenCredential credential) =>
        new Microsoft.Graph.Authentication.AzureIdentityAuthenticationProvider(credential, null, null, true, [DefaultScope]);

    /// <summary>
    /// Creates the client. <paramref name="authentication"/> adds the bearer token (tests pass an anonymous provider);
    /// <paramref name="finalHandler"/> replaces the network handler (tests only).
    /// </summary>
    /// <exception cref="UriFormatException"><see cref="GraphOptions.BaseUrl"/> is not an absolute URL.</exception>
    public static GraphServiceClient Create(GraphOptions options, IAuthenticationProvider authentication, ILoggerFactory loggers, TimeProvider time, HttpMessageHandler? finalHandler = null)
    {
        var baseUrl = new Uri(options.BaseUrl, UriKind.Absolute).ToString().TrimEnd('/');
        var handlers = Handlers(options, loggers, time);
        var httpClient = finalHandler is null
            ? GraphClientFactory.Create(handlers)
            : GraphClientFactory.Create(handlers, finalHandler: finalHandler);
        httpClient.Timeout = TimeSpan.FromSeconds(100 + (options.MaxThrottleRetries * options.MaxRetryAfterWaitSeconds));
        return new GraphServiceClient(httpClient, authentication, baseUrl);
    }

    /// <summary>
    /// The middleware, outermost first: the SDK defaults without its <see cref="RetryHandler"/>, then
    /// <see cref="RetryAfterHandler"/>, then <see cref="MailboxConcurrencyHandler"/>.
    /// </summary>
    public static IList<DelegatingHandler> Handlers(GraphOptions options, ILoggerFactory loggers, TimeProvider time)
    {
        var handlers = GraphClientFactory.CreateDefaultHandlers().Where(h => h is not RetryHandler).ToList();
        handlers.Add(new RetryAfterHandler(options, loggers.CreateLogger<RetryAfterHandler>(), time));
        handlers.Add(new MailboxConcurrencyHandler(options.MaxConcurrentRequestsPerMailbox));
        return handlers;
    }
}
