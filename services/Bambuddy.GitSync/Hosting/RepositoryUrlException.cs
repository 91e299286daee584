namespace Bambuddy.GitSync.Hosting;

/// <summary>A repository URL (or provider) that breaks a rule; <see cref="ArgumentException.ParamName"/> is the API field to fix.</summary>
/// <param name="failure"><c>invalid_url</c> or <c>insecure_http</c>, as <see cref="Model.GitConnectionReport.Failure"/> names it.</param>
public sealed class RepositoryUrlException(string failure, string field, string message) : ArgumentException(message, field)
{
    public string Failure { get; } = failure;

    /// <summary>The message alone, without the " (Parameter 'field')" suffix <see cref="ArgumentException"/> appends.</summary>
    public string Reason { get; } = message;
}
