using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions.Authentication;
using SocialLearning.Intake;
using SocialLearning.Mail;

namespace SocialLearning.Graph;

/// <summary>Registers the Graph mail transport: options, client, mailbox, notification and subscription handlers.</summary>
public static class GraphServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="GraphOptions"/> (validated at start-up; required settings only for <c>Mail:Transport</c> = Graph), the
    /// app's one singleton <see cref="GraphServiceClient"/> (also used by the expert sync and availability), built on first use (an <see cref="IAuthenticationProvider"/> registered
    /// by the caller wins, e.g. an anonymous one in tests; otherwise the managed identity), <see cref="GraphMailbox"/> and
    /// the intake handlers of the Graph path. Nothing here calls Graph until a Graph handler runs.
    /// </summary>
    public static IServiceCollection AddGraphMail(this IServiceCollection services)
    {
        services.AddOptions<GraphOptions>().BindConfiguration(GraphOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GraphOptions>, GraphOptionsValidator>());
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<GraphOptions>>().Value;
            var auth = sp.GetService<IAuthenticationProvider>() ?? GraphClientBuilder.TokenAuthentication(GraphClientBuilder.DefaultCredential(options));
            return GraphClientBuilder.Create(options, auth, sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton<GraphMailbox>();
        services.TryAddSingleton<ClientStateStore>();
        services.TryAddSingleton<GraphNotificationHandler>();
        services.TryAddSingleton<GraphLifecycleHandler>();
        services.TryAddSingleton<MailLifecycleHandler>();
        services.TryAddSingleton<MailSubscriptionKeeper>();
        services.TryAddSingleton<MailboxCatchUp>();
        return services;
    }
}
