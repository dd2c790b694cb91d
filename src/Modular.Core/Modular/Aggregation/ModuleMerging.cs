using Modular.Computation;
using Modular.Tensors;
using Modular.Tensors.Autograd;

namespace Modular.Aggregation;

/// <summary>
/// Parameter aggregation between attached modules, producing a new attached module: weighted averaging of
/// same-shaped modules (merging adapters, averaging skills), task arithmetic on weight deltas (sums of scaled
/// deltas; a negative scale subtracts a task), and TIES-merging.
/// </summary>
public static class ModuleMerging
{
    /// <summary>
    /// θ_new = Σᵢ wᵢ·θᵢ over modules of one recipe attached at the same sites (weights normalised to sum to 1; equal
    /// by default). Buffers (e.g. sparse masks) must be identical.
    /// </summary>
    public static AttachedModule WeightedMerge(ModularModel model, string newName, IReadOnlyList<string> names, IReadOnlyList<float>? weights = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count < 1) throw new ConfigurationException("WeightedMerge needs at least one module.");
        var sources = names.Select(model.Get).ToList();
        var w = (weights ?? Enumerable.Repeat(1f, names.Count).ToList()).ToArray();
        if (w.Length != names.Count) throw new ConfigurationException($"WeightedMerge: {w.Length} weights for {names.Count} modules.");
        float total = w.Sum();
        if (!(total > 0f)) throw new ConfigurationException($"WeightedMerge: weights [{string.Join(", ", w)}] must have a positive sum.");
        var first = sources[0];
        foreach (var s in sources.Skip(1))
        {
            if (s.Spec.GetType() != first.Spec.GetType() || !s.Parts.Select(p => p.Site).SequenceEqual(first.Parts.Select(p => p.Site)))
                throw new ConfigurationException($"WeightedMerge: '{s.Name}' ({s.Method}) and '{first.Name}' ({first.Method}) must be of the same method attached at the same sites.");
        }
        model.Attach(string.Join(", ", first.Parts.Select(p => p.Site.HostPath)), first.Spec, newName);
        var created = model.Get(newName);
        using (GradMode.NoGrad())
        {
            for (int part = 0; part < created.Parts.Count; part++)
            {
                var target = created.Parts[part].Module.State();
                var states = sources.Select(s => s.Parts[part].Module.State()).ToList();
                foreach (var (path, tensor) in target)
                {
                    var values = states.Select(st => st[path]).ToList();
                    bool isBuffer = created.Parts[part].Module.NamedBuffers().Any(b => b.Path == path);
                    if (isBuffer)
                    {
                        if (values.Any(v => !v.ToArray().AsSpan().SequenceEqual(values[0].ToArray())))
                            throw new ConfigurationException($"WeightedMerge: buffer '{path}' differs between the modules (e.g. different sparse masks); only modules with identical buffers can be averaged.");
                        tensor.CopyFrom(values[0]);
                        continue;
                    }
                    Tensor? sum = null;
                    for (int i = 0; i < values.Count; i++)
                    {
                        var term = values[i].Mul(w[i] / total);
                        sum = sum is null ? term : sum.Add(term);
                    }
                    tensor.CopyFrom(sum!);
                }
            }
        }
        return created;
    }

    /// <summary>ΔW_new = Σᵢ λᵢ·ΔWᵢ per linear layer, as a new weight-delta module (task arithmetic, Ilharco et al., 2023).</summary>
    public static AttachedModule TaskArithmetic(ModularModel model, string newName, IReadOnlyList<(string Name, float Scale)> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        return MergeDeltas(model, newName, terms.Select(t => t.Name).ToList(), deltas =>
        {
            var result = new float[deltas[0].Length];
            for (int i = 0; i < deltas.Count; i++)
                for (int j = 0; j < result.Length; j++) result[j] += terms[i].Scale * deltas[i][j];
            return result;
        });
    }

    /// <summary>TIES-merging of the modules' weight deltas per linear layer, as a new weight-delta module.</summary>
    public static AttachedModule TiesMerge(ModularModel model, string newName, IReadOnlyList<string> names, float density = 0.2f, float scale = 1f) =>
        MergeDeltas(model, newName, names, deltas => Ties.Merge(deltas, density, scale));

    private static AttachedModule MergeDeltas(ModularModel model, string newName, IReadOnlyList<string> names, Func<IReadOnlyList<float[]>, float[]> combine)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (names.Count < 1) throw new ConfigurationException("Merging needs at least one module.");
        // every layer that any of the modules changes, with each module's ΔW there (zero where it has none)
        var hosts = new SortedDictionary<string, (Site Site, List<(int Index, Tensor Delta)> Deltas)>(StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++)
        {
            foreach (var (site, module) in model.Get(names[i]).Parts)
            {
                var delta = module.WeightDelta() ?? throw new ConfigurationException($"Merging '{names[i]}': {module.Method} at '{site.HostPath}' is not an additive weight change; task arithmetic and TIES need LoRA, sparse or weight-delta modules.");
                if (!hosts.TryGetValue(site.HostPath, out var entry)) hosts[site.HostPath] = entry = (site, []);
                entry.Deltas.Add((i, delta));
            }
        }
        model.Attach(string.Join(", ", hosts.Keys), new WeightDeltaSpec(), newName);
        var created = model.Get(newName);
        using (GradMode.NoGrad())
        {
            foreach (var (site, module) in created.Parts)
            {
                var target = ((WeightDeltaModule)module).Delta;
                var vectors = Enumerable.Range(0, names.Count).Select(i => hosts[site.HostPath].Deltas.FirstOrDefault(d => d.Index == i).Delta?.ToArray() ?? new float[target.Count]).ToList();
                using var merged = Tensor.FromArray(combine(vectors), target.Shape.ToArray());
                target.Assign(merged);
            }
        }
        return created;
    }
}
