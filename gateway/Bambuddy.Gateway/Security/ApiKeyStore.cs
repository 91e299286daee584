using System.Security.Cryptography;
using System.Text;

namespace Bambuddy.Gateway.Security;

/// <summary>
/// The API key: <c>BACKUP_API_KEY</c>, else one generated once and kept (mode 600) in the state
/// directory. Only its place is ever printed; the key itself never reaches a log.
/// </summary>
public sealed class ApiKeyStore
{
    public const string Variable = "BACKUP_API_KEY";
    public const string FileName = "api-key";

    private readonly byte[] _key;

    private ApiKeyStore(string key, string source)
    {
        _key = Encoding.UTF8.GetBytes(key);
        Source = source;
    }

    /// <summary>Where the key comes from: the variable's name or the file's path.</summary>
    public string Source { get; }

    public static ApiKeyStore Load(IConfiguration configuration)
    {
        var configured = configuration[Variable];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new ApiKeyStore(configured.Trim(), Variable);
        }

        var path = Path.Combine(StateDirectory.Resolve(configuration), FileName);
        if (!File.Exists(path))
        {
            var generated = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            var temp = path + ".tmp";
            var create = new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            };
            using (var writer = new StreamWriter(temp, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), create))
            {
                writer.WriteLine(generated);
            }

            // A second gateway starting at the same moment keeps the first key.
            try
            {
                File.Move(temp, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temp);
            }
        }

        return new ApiKeyStore(File.ReadAllText(path).Trim(), path);
    }

    public bool Matches(string? presented)
        => presented is not null && CryptographicOperations.FixedTimeEquals(_key, Encoding.UTF8.GetBytes(presented));
}
