namespace Bambuddy.Scheduler.Restores;

public static class RestoreServices
{
    /// <summary>Upload spooling and restore jobs (DESIGN §5, §7).</summary>
    public static IHostApplicationBuilder AddRestores(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RestoreOptions>().BindConfiguration(RestoreOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<UploadSpool>();
        builder.Services.AddSingleton<RestoreRequests>();
        builder.Services.AddHostedService<UploadSpoolSweeper>();
        return builder;
    }
}
