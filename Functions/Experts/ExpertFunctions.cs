using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SocialLearning.Experts;

/// <summary>Function adapters of the expert directory.</summary>
public sealed class ExpertFunctions(GraphExpertSync sync, IOptions<GraphExpertsOptions> options, ILogger<ExpertFunctions> logger)
{
    /// <summary>
    /// On the <c>Graph:ExpertSyncSchedule</c> NCRONTAB schedule (app setting <c>Graph__ExpertSyncSchedule</c>, e.g.
    /// <c>0 0 */6 * * *</c>): <see cref="GraphExpertSync.SyncAsync"/>. Does nothing (one information log) when
    /// <c>Graph:ExpertGroupId</c> is not set. A Graph failure fails the run; the next run tries again.
    /// </summary>
    [Function("SyncExperts")]
    public async Task SyncExperts([TimerTrigger("%Graph:ExpertSyncSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.Value.ExpertGroupId))
        {
            logger.LogInformation("Graph:ExpertGroupId is not set; expert sync from Microsoft Entra ID skipped");
            return;
        }

        await sync.SyncAsync(cancellationToken).ConfigureAwait(false);
    }
}
