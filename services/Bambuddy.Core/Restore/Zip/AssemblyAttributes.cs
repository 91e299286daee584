using System.Runtime.CompilerServices;

// The name-hash seam (ZipNameHash) is tested with forced collisions.
[assembly: InternalsVisibleTo("Bambuddy.Restore.Tests")]
