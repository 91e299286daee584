using Microsoft.AspNetCore.DataProtection;

namespace Bambuddy.Core.Secrets;

/// <summary>
/// Encrypts our own secrets (S3 secret key, git token) at rest and in messages with ASP.NET Core Data
/// Protection: one key ring in the state directory, shared by every service, one fixed application name.
/// </summary>
public sealed class SecretProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Bambuddy.Backup.Secrets.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    /// <exception cref="System.Security.Cryptography.CryptographicException">The ciphertext was not made with this key ring.</exception>
    public string Unprotect(string ciphertext) => _protector.Unprotect(ciphertext);
}
