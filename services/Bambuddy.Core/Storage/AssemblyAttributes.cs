using System.Runtime.CompilerServices;

// The SigV4 signer is tested against AWS's published example without making it public.
[assembly: InternalsVisibleTo("Bambuddy.Storage.Tests")]
