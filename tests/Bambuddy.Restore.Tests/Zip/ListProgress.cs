namespace Bambuddy.Restore.Tests.Zip;

/// <summary>Keeps every report, synchronously (<see cref="Progress{T}"/> would post them later), and passes it on.</summary>
internal sealed class ListProgress<T>(Action<T>? onReport = null) : IProgress<T>
{
    private readonly List<T> _reports = [];

    public IReadOnlyList<T> Reports
    {
        get
        {
            lock (_reports)
            {
                return [.. _reports];
            }
        }
    }

    public void Report(T value)
    {
        lock (_reports)
        {
            _reports.Add(value);
        }

        onReport?.Invoke(value);
    }
}
