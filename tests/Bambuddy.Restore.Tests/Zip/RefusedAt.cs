namespace Bambuddy.Restore.Tests.Zip;

/// <summary>Which call refuses a hostile ZIP: structural faults at open, content faults at extraction.</summary>
internal enum RefusedAt
{
    Open,
    Extract,
}
