using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace Bambuddy.Core.Secrets;

public static class SecretsExtensions
{
    public const string ApplicationName = "bambuddy-backup";

    public static IServiceCollection AddBackupSecrets(this IServiceCollection services, string stateDirectory)
    {
        var keys = new DirectoryInfo(Path.Combine(stateDirectory, "keys"));
        keys.Create();
        keys.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        services.AddDataProtection().SetApplicationName(ApplicationName).PersistKeysToFileSystem(keys);
        services.AddSingleton<SecretProtector>();
        return services;
    }
}
