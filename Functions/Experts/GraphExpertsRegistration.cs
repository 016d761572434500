using Azure.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using SocialLearning.Mail;

namespace SocialLearning.Experts;

/// <summary>
/// Registers the Graph side of the expert directory: <see cref="GraphExpertsOptions"/> (section <c>Graph</c>), a
/// <see cref="GraphServiceClient"/>, <see cref="GraphExpertSync"/> and the <see cref="IExpertAvailability"/> chosen by
/// <see cref="MailOptions.Transport"/>.
/// </summary>
public static class GraphExpertsRegistration
{
    /// <summary>The scope requested for Graph with an app identity: <c>https://graph.microsoft.com/.default</c> (the
    /// application permissions granted to it).</summary>
    public const string DefaultScope = "https://graph.microsoft.com/.default";

    /// <summary>
    /// Adds the options (validated at start-up), a lazily created singleton <see cref="GraphServiceClient"/> (kept when
    /// one is registered already, so tests and the mail transport can supply theirs), <see cref="GraphExpertSync"/>,
    /// <see cref="AlwaysAvailable"/>, <see cref="GraphExpertAvailability"/> and <see cref="IExpertAvailability"/>:
    /// <see cref="GraphExpertAvailability"/> when <c>Mail:Transport</c> is <c>Graph</c>, else <see cref="AlwaysAvailable"/>.
    /// Nothing contacts Graph or asks for a token until a Graph service is used, so the local setup needs no Graph settings.
    /// </summary>
    /// <param name="services">The service collection (with <c>IConfiguration</c>, <see cref="MailOptions"/> and the storage services).</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddGraphExperts(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<GraphExpertsOptions>().BindConfiguration(GraphExpertsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp => CreateClient(sp.GetRequiredService<IOptions<GraphExpertsOptions>>().Value));
        services.TryAddSingleton<GraphExpertSync>();
        services.TryAddSingleton<AlwaysAvailable>();
        services.TryAddSingleton<GraphExpertAvailability>();
        services.TryAddSingleton<IExpertAvailability>(sp => IsGraphTransport(sp.GetRequiredService<IOptions<MailOptions>>().Value.Transport)
            ? sp.GetRequiredService<GraphExpertAvailability>()
            : sp.GetRequiredService<AlwaysAvailable>());
        return services;
    }

    /// <summary>True when <paramref name="transport"/> names the Graph transport (<c>Graph</c>, any case).</summary>
    /// <param name="transport">The <c>Mail:Transport</c> setting.</param>
    public static bool IsGraphTransport(string? transport) => string.Equals(transport?.Trim(), "Graph", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A <see cref="GraphServiceClient"/> for <see cref="GraphExpertsOptions.BaseUrl"/> authenticated with
    /// <see cref="DefaultAzureCredential"/> (the Function app's managed identity in Azure, <c>az login</c> locally) for
    /// <see cref="DefaultScope"/>. The SDK's default handlers apply (retry on 429/503/504 honouring Retry-After, redirects).
    /// </summary>
    /// <param name="options">The Graph settings.</param>
    public static GraphServiceClient CreateClient(GraphExpertsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new GraphServiceClient(new DefaultAzureCredential(), [DefaultScope], options.BaseUrl.TrimEnd('/'));
    }
}
