using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Modular.Computation;
using Modular.NN;

namespace Modular;

/// <summary>
/// The spec kinds that can be saved with a module and recreated when it is loaded: for each, how its
/// hyper-parameters are written and how a spec is rebuilt from them. Every built-in spec is known; register your
/// own with <see cref="Register{TSpec}"/>.
/// </summary>
public static class ModuleRecipes
{
    private static readonly ConcurrentDictionary<string, (Type Type, Func<IModuleSpec, JsonObject> Write, Func<ModuleRecipe, IModuleSpec> Read)> Kinds = new(StringComparer.Ordinal);

    static ModuleRecipes()
    {
        Register<LoRA>(s => new() { ["rank"] = s.Rank, ["alpha"] = s.Alpha, ["dropout"] = s.Dropout },
            r => new LoRA(r.WholeNumber("rank"), r.Number("alpha"), r.Number("dropout")));
        Register<BottleneckAdapter>(s => new() { ["reduction"] = s.Reduction, ["placement"] = s.Placement.ToString(), ["activation"] = s.Activation.ToString(), ["layerNorm"] = s.LayerNorm },
            r => new BottleneckAdapter(r.WholeNumber("reduction"), r.Choice<AdapterPlacement>("placement"), r.Choice<ActivationKind>("activation"), r.Flag("layerNorm")));
        Register<ParallelAdapter>(s => new() { ["reduction"] = s.Reduction, ["scaling"] = s.Scaling, ["activation"] = s.Activation.ToString() },
            r => new ParallelAdapter(r.WholeNumber("reduction"), r.Number("scaling"), r.Choice<ActivationKind>("activation")));
        Register<IA3>(_ => [], _ => new IA3());
        Register<PromptTuning>(s => new() { ["tokens"] = s.Tokens, ["initFromTokens"] = s.InitFromTokens is null ? null : new JsonArray([.. s.InitFromTokens.Select(id => (JsonNode)id)]) },
            r => new PromptTuning(r.WholeNumber("tokens"), r.WholeNumbers("initFromTokens")));
        Register<PrefixTuning>(s => new() { ["tokens"] = s.Tokens, ["reparameterizationSize"] = s.ReparameterizationSize },
            r => new PrefixTuning(r.WholeNumber("tokens"), r.WholeNumber("reparameterizationSize")));
        // The mask's entries are saved with the module, so the rebuilt recipe takes them from the file (see SparseMask.Loaded).
        Register<SparseFineTuning>(s => new() { ["density"] = s.Density, ["mask"] = s.Mask.ToString() },
            r => new SparseFineTuning(r.Number("density"), SparseMask.Loaded(r.Text("mask"))));
        Register<BitFit>(_ => [], _ => new BitFit());
        Register<WeightDeltaSpec>(_ => [], _ => new WeightDeltaSpec());
        Register<FullFineTuning>(_ => [], _ => new FullFineTuning());
        Register<HyperAdapter>(s => new() { ["conditionKey"] = s.ConditionKey, ["conditions"] = s.Conditions, ["embedding"] = s.Embedding, ["hidden"] = s.Hidden, ["bottleneck"] = s.BottleneckSize },
            r => new HyperAdapter(r.Text("conditionKey"), r.WholeNumber("conditions"), r.WholeNumber("embedding"), r.WholeNumber("hidden"), r.WholeNumber("bottleneck")));
        Register<InvertibleAdapter>(s => new() { ["reduction"] = s.Reduction },
            r => new InvertibleAdapter(r.WholeNumber("reduction")));
    }

    /// <summary>
    /// Makes specs of type <typeparamref name="TSpec"/> savable under the kind <c>typeof(TSpec).Name</c>:
    /// <paramref name="write"/> lists its hyper-parameters, <paramref name="read"/> rebuilds it from them.
    /// </summary>
    public static void Register<TSpec>(Func<TSpec, JsonObject> write, Func<ModuleRecipe, TSpec> read) where TSpec : IModuleSpec
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(read);
        var kind = typeof(TSpec).Name;
        var entry = (typeof(TSpec), (Func<IModuleSpec, JsonObject>)(spec => write((TSpec)spec)), (Func<ModuleRecipe, IModuleSpec>)(recipe => read(recipe)));
        if (Kinds.TryGetValue(kind, out var existing) && existing.Type != typeof(TSpec))
            throw new ConfigurationException($"ModuleRecipes: the kind '{kind}' is already registered for {existing.Type.FullName}; spec types saved with modules need distinct names.");
        Kinds[kind] = entry;
    }

    /// <summary>The recipe of <paramref name="spec"/>, or an error naming how to make its type savable.</summary>
    public static ModuleRecipe Of(IModuleSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var kind = spec.GetType().Name;
        if (!Kinds.TryGetValue(kind, out var entry) || entry.Type != spec.GetType())
            throw new ConfigurationException($"{spec.Method} modules cannot be saved: their recipe type {spec.GetType().FullName} is not registered. Call ModuleRecipes.Register<{kind}>(write, read) once to say how its hyper-parameters are saved and read.");
        return new ModuleRecipe(kind, entry.Write(spec));
    }

    /// <summary>Rebuilds the spec a recipe describes; an unknown kind is a <see cref="CheckpointFormatException"/> naming the known ones.</summary>
    public static IModuleSpec Create(ModuleRecipe recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        if (!Kinds.TryGetValue(recipe.Kind, out var entry))
            throw new CheckpointFormatException($"{(recipe.Source.Length == 0 ? "" : $"'{recipe.Source}': ")}the module recipe kind '{recipe.Kind}' is unknown. Known kinds: {string.Join(", ", Kinds.Keys.Order(StringComparer.Ordinal))}; register custom spec types with ModuleRecipes.Register before loading.");
        return entry.Read(recipe);
    }
}
