using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SocialLearning.Experts;
using SocialLearning.Graph;
using SocialLearning.Intake;
using SocialLearning.Mail;
using SocialLearning.Matching;
using SocialLearning.Outcomes;
using SocialLearning.Routing;
using SocialLearning.Storage;

namespace SocialLearning;

/// <summary>Registers the service's options, clients and handlers; shared by the Functions host and the local commands.</summary>
public static class ServiceRegistration
{
    /// <summary>
    /// Adds everything the handlers need. Options are validated at start-up (<c>ValidateOnStart</c>), so a missing or
    /// wrong setting stops the host with a message naming the setting.
    /// </summary>
    public static IServiceCollection AddSocialLearning(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<MailOptions>().BindConfiguration(MailOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddRoutingOptions();
        services.AddEmbeddings();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => QueueSettings.FromHostJson());
        services.AddSingleton<StorageClients>();
        services.AddGraphMail();
        // Mail:Transport chooses the mailbox: the local Maildir, or the shared mailbox through Microsoft Graph.
        services.AddSingleton<IMailbox>(sp => sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<MailOptions>>().Value.IsGraph
            ? sp.GetRequiredService<GraphMailbox>()
            : new MaildirMailbox(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<MailOptions>>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<MaildirMailbox>>()));
        services.AddSingleton<OutcomeLog>();
        services.AddSingleton<ExpertDirectory>();
        services.AddSingleton<ExpertLoad>();
        services.AddSingleton<ExpertCapacity>();
        services.AddSingleton<ExpertSelection>();
        services.AddSingleton<QuestionRouter>();
        services.AddSingleton<ExpertImporter>();
        services.AddSingleton<LearnedEvidence>();
        services.AddSingleton<ExpertReembedder>();
        services.AddSingleton<InboundMailHandler>();
        services.AddSingleton<ThreadIndex>();
        services.AddSingleton<Experts.ExpertRoster>();
        services.AddSingleton<RouteQuestionHandler>();
        services.AddSingleton<OutboundMailHandler>();
        services.AddSingleton<MailboxPoller>();
        services.AddSingleton<QueueWorker>();
        services.AddSingleton<PipelineRunner>();
        services.AddGraphExperts();
        return services;
    }

    /// <summary>
    /// The <c>Routing</c> settings with every check the service makes at start-up (ranges, the weights' product rules,
    /// unknown weight names); also used alone by <c>evaluate</c>, which needs no other setting.
    /// </summary>
    public static IServiceCollection AddRoutingOptions(this IServiceCollection services)
    {
        services.AddOptions<RoutingOptions>().BindConfiguration(RoutingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IValidateOptions<RoutingOptions>, RankerWeightKeysValidator>());
        return services;
    }
}
