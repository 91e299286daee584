using MassTransit;

namespace Bambuddy.ArchivePackager.Consumers;

public sealed class CreateLocalBackupConsumerDefinition : ConsumerDefinition<CreateLocalBackupConsumer>
{
    public CreateLocalBackupConsumerDefinition()
    {
        // A backup is heavy on disk: one at a time per replica; more replicas compete for the queue.
        ConcurrentMessageLimit = 1;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<CreateLocalBackupConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = 1;
        endpointConfigurator.UseMessageRetry(retry => retry.Intervals(500, 2000));
    }
}
