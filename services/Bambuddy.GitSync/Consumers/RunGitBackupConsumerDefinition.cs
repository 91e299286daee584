using MassTransit;

namespace Bambuddy.GitSync.Consumers;

public sealed class RunGitBackupConsumerDefinition : ConsumerDefinition<RunGitBackupConsumer>
{
    public RunGitBackupConsumerDefinition()
    {
        // One backup at a time per replica: the working clones are this replica's own.
        ConcurrentMessageLimit = 1;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<RunGitBackupConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = 1;
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(500, 2000));
    }
}
