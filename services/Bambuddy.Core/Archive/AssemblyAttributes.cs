using System.Runtime.CompilerServices;

// The archive tests check the progress throttle without waiting on a clock.
[assembly: InternalsVisibleTo("Bambuddy.Archive.Tests")]
