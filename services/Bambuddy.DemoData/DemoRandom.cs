using System.Runtime.InteropServices;

namespace Bambuddy.DemoData;

/// <summary>
/// xoshiro256** seeded through SplitMix64: the same numbers on every .NET version and machine (System.Random
/// promises neither), and fast enough to fill gigabytes of media.
/// </summary>
public sealed class DemoRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public DemoRandom(long seed, long stream = 0)
    {
        var x = (ulong)seed ^ ((ulong)stream * 0xD1B54A32D192ED03UL);
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>0 ≤ result &lt; max.</summary>
    public int Next(int max) => max <= 0 ? 0 : (int)(NextUInt64() % (ulong)max);

    /// <summary>min ≤ result &lt; max.</summary>
    public int Next(int min, int max) => min + Next(max - min);

    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public double NextDouble(double min, double max) => min + (NextDouble() * (max - min));

    public bool Chance(double probability) => NextDouble() < probability;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    public void NextBytes(Span<byte> buffer)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(buffer);
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = NextUInt64();
        }

        for (var i = words.Length * 8; i < buffer.Length; i++)
        {
            buffer[i] = (byte)NextUInt64();
        }
    }

    public string NextHex(int length)
    {
        Span<byte> bytes = stackalloc byte[(length + 1) / 2];
        NextBytes(bytes);
        return Convert.ToHexString(bytes)[..length].ToLowerInvariant();
    }

    public string NextDigits(int length) => string.Create(length, this, static (span, random) =>
    {
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = (char)('0' + random.Next(10));
        }
    });

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
