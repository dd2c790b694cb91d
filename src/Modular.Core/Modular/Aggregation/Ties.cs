namespace Modular.Aggregation;

/// <summary>
/// TIES-merging (Yadav et al., 2023), an interference-aware merge of task vectors: (1) trim — keep each vector's
/// largest-magnitude fraction <c>density</c>, zero the rest; (2) elect sign — per entry, the sign of the sum of the
/// trimmed values; (3) disjoint merge — per entry, the mean of the trimmed values that agree with the elected sign
/// (zeros excluded); finally scale by λ.
/// </summary>
public static class Ties
{
    /// <summary>Merges equally long task vectors.</summary>
    public static float[] Merge(IReadOnlyList<float[]> taskVectors, float density, float scale = 1f)
    {
        ArgumentNullException.ThrowIfNull(taskVectors);
        if (taskVectors.Count == 0) throw new ConfigurationException("TIES needs at least one task vector.");
        if (density is <= 0f or > 1f) throw new ConfigurationException($"TIES: density {density} must lie in (0, 1].");
        int n = taskVectors[0].Length;
        if (taskVectors.Any(v => v.Length != n)) throw new ShapeMismatchException($"TIES: task vectors differ in length ({string.Join(", ", taskVectors.Select(v => v.Length).Distinct())}).");
        var trimmed = taskVectors.Select(v => Trim(v, density)).ToList();
        var merged = new float[n];
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            foreach (var t in trimmed) sum += t[i];
            int sign = Math.Sign(sum);
            if (sign == 0) continue;
            double agreeing = 0;
            int count = 0;
            foreach (var t in trimmed)
            {
                if (Math.Sign(t[i]) != sign) continue;
                agreeing += t[i];
                count++;
            }
            merged[i] = (float)(scale * agreeing / count);
        }
        return merged;
    }

    /// <summary>Keeps the ⌈density·n⌉ entries of largest magnitude (ties to the lower index).</summary>
    public static float[] Trim(float[] vector, float density)
    {
        ArgumentNullException.ThrowIfNull(vector);
        // the density as written: 0.3f·100 is 30.000002 in binary floating point, whose ceiling would keep 31
        int keep = (int)Math.Ceiling((decimal)density * vector.Length);
        var order = Enumerable.Range(0, vector.Length).OrderByDescending(i => Math.Abs(vector[i])).ThenBy(i => i).Take(keep);
        var result = new float[vector.Length];
        foreach (var i in order) result[i] = vector[i];
        return result;
    }
}
