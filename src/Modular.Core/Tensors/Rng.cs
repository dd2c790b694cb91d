namespace Modular.Tensors;

/// <summary>
/// A seeded, deterministic random source (xoshiro256**, seeded through SplitMix64): the same seed gives the
/// same numbers on every machine and run. Not thread-safe; give each thread its own.
/// </summary>
public sealed class Rng
{
    private ulong s0, s1, s2, s3;
    private float spareNormal;
    private bool hasSpare;

    /// <summary>Creates a generator from a seed.</summary>
    public Rng(ulong seed)
    {
        s0 = SplitMix(ref seed);
        s1 = SplitMix(ref seed);
        s2 = SplitMix(ref seed);
        s3 = SplitMix(ref seed);
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>64 uniformly random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 24 random bits.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>Uniform in (0, 1): never exactly 0, so logarithms stay finite.</summary>
    public float NextOpenFloat() => ((NextUInt64() >> 41) + 0.5f) * (1f / (1 << 23));

    /// <summary>Uniform integer in [0, <paramref name="n"/>).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ConfigurationException($"NextInt: n must be positive, got {n}.");
        return (int)(NextUInt64() % (ulong)n);
    }

    /// <summary>Standard normal (Box–Muller).</summary>
    public float NextNormal()
    {
        if (hasSpare)
        {
            hasSpare = false;
            return spareNormal;
        }
        double u = NextOpenFloat(), v = NextFloat();
        double r = Math.Sqrt(-2.0 * Math.Log(u));
        spareNormal = (float)(r * Math.Sin(2 * Math.PI * v));
        hasSpare = true;
        return (float)(r * Math.Cos(2 * Math.PI * v));
    }

    /// <summary>Standard Gumbel: −log(−log u).</summary>
    public float NextGumbel() => -MathF.Log(-MathF.Log(NextOpenFloat()));

    /// <summary>A child generator with an independent stream, derived deterministically from this one.</summary>
    public Rng Fork() => new(NextUInt64());

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates).</summary>
    public void Shuffle<T>(IList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>Fills with uniform values in [low, high).</summary>
    public void FillUniform(Span<float> destination, float low = 0f, float high = 1f)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = low + (high - low) * NextFloat();
    }

    /// <summary>Fills with normal values of the given mean and standard deviation.</summary>
    public void FillNormal(Span<float> destination, float mean = 0f, float std = 1f)
    {
        for (int i = 0; i < destination.Length; i++) destination[i] = mean + std * NextNormal();
    }
}
