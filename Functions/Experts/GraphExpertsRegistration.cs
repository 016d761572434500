using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SocialLearning.Mail;

namespace SocialLearning.Experts;

/// <summary>
/// Registers the Graph side of the expert directory: <see cref="GraphExpertsOptions"/> (section <c>Graph</c>),
/// <see cref="GraphExpertSync"/> and the <see cref="IExpertAvailability"/> chosen by <see cref="MailOptions.Transport"/>.
/// Both use the app's one <see cref="Microsoft.Graph.GraphServiceClient"/>, registered by
/// <see cref="Graph.GraphServiceCollectionExtensions.AddGraphMail"/> (service root <c>Graph:BaseUrl</c>, managed identity,
/// Retry-After and per-mailbox concurrency handling).
/// </summary>
public static class GraphExpertsRegistration
{
    /// <summary>
    /// Adds the options (validated at start-up), <see cref="GraphExpertSync"/>, <see cref="AlwaysAvailable"/>,
    /// <see cref="GraphExpertAvailability"/> and <see cref="IExpertAvailability"/>: <see cref="GraphExpertAvailability"/>
    /// when <c>Mail:Transport</c> is <c>Graph</c>, else <see cref="AlwaysAvailable"/>. Nothing contacts Graph or asks for a
    /// token until a Graph service is used, so the local setup needs no Graph settings.
    /// </summary>
    /// <param name="services">The service collection (with <c>IConfiguration</c>, <see cref="MailOptions"/>, the storage
    /// services and the Graph client of <see cref="Graph.GraphServiceCollectionExtensions.AddGraphMail"/>).</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddGraphExperts(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<GraphExpertsOptions>().BindConfiguration(GraphExpertsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<GraphExpertSync>();
        services.TryAddSingleton<AlwaysAvailable>();
        services.TryAddSingleton<GraphExpertAvailability>();
        services.TryAddSingleton<IExpertAvailability>(sp => sp.GetRequiredService<IOptions<MailOptions>>().Value.IsGraph
            ? sp.GetRequiredService<GraphExpertAvailability>()
            : sp.GetRequiredService<AlwaysAvailable>());
        return services;
    }
}
