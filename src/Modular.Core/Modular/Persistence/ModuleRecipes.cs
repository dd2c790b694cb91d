using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text.Json.Nodes;
using Modular.Computation;
using Modular.NN;

namespace Modular;

/// <summary>
/// The spec kinds that can be saved with a module and recreated when it is loaded. One mechanism serves them all: a
/// spec's recipe is its constructor's parameters, written from its properties and read back into the constructor.
/// Every built-in spec is known; register your own with <see cref="Register{TSpec}"/>.
/// </summary>
public static class ModuleRecipes
{
    private static readonly ConcurrentDictionary<string, (Type Type, Func<IModuleSpec, JsonObject> Write, Func<ModuleRecipe, IModuleSpec> Read)> Kinds = new(StringComparer.Ordinal);

    static ModuleRecipes()
    {
        Register<LoRA>();
        Register<BottleneckAdapter>();
        Register<ParallelAdapter>();
        Register<IA3>();
        Register<PromptTuning>();
        Register<PrefixTuning>();
        Register<SparseFineTuning>();
        Register<BitFit>();
        Register<WeightDeltaSpec>();
        Register<FullFineTuning>();
        Register<HyperAdapter>();
        Register<InvertibleAdapter>();
        Register<Expert>();
    }

    /// <summary>
    /// Makes specs of type <typeparamref name="TSpec"/> savable under the kind <c>typeof(TSpec).Name</c>, with one
    /// mechanism for every spec: its hyper-parameters are the parameters of its widest public constructor, each written
    /// from the public property of the same name (integers, numbers, flags, text, enum names, lists of integers, sparse
    /// masks) and read back into that constructor, which validates them.
    /// </summary>
    public static void Register<TSpec>() where TSpec : IModuleSpec
    {
        var type = typeof(TSpec);
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault()
            ?? throw new ConfigurationException($"ModuleRecipes: {type.Name} has no public constructor to rebuild it from its recipe.");
        var parameters = constructor.GetParameters();
        var properties = parameters.Select(p => type.GetProperty(p.Name!, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)
            ?? throw new ConfigurationException($"ModuleRecipes: {type.Name}'s constructor parameter '{p.Name}' has no public property of that name; a recipe is written from the properties its constructor reads.")).ToArray();
        foreach (var parameter in parameters) _ = Reader(type, parameter);
        JsonObject Write(IModuleSpec spec)
        {
            var settings = new JsonObject();
            for (int i = 0; i < parameters.Length; i++) settings[parameters[i].Name!] = Setting(type, parameters[i].Name!, properties[i].GetValue(spec));
            return settings;
        }
        IModuleSpec Read(ModuleRecipe recipe)
        {
            var arguments = parameters.Select(p => Reader(type, p)(recipe)).ToArray();
            try
            {
                return (IModuleSpec)constructor.Invoke(arguments);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                // the constructor's own validation (a ConfigurationException naming the bad value) is the error
                ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }
        }
        var kind = type.Name;
        if (Kinds.TryGetValue(kind, out var existing) && existing.Type != type)
            throw new ConfigurationException($"ModuleRecipes: the kind '{kind}' is already registered for {existing.Type.FullName}; spec types saved with modules need distinct names.");
        Kinds[kind] = (type, Write, Read);
    }

    private static JsonNode? Setting(Type spec, string name, object? value) => value switch
    {
        null => null,
        int i => i,
        float f => f,
        bool b => b,
        string s => s,
        Enum e => e.ToString(),
        IReadOnlyList<int> list => new JsonArray([.. list.Select(id => (JsonNode)id)]),
        // the mask's entries are saved with the module, so the rebuilt recipe takes them from the file (SparseMask.Loaded)
        SparseMask mask => mask.ToString(),
        _ => throw new ConfigurationException($"ModuleRecipes: {spec.Name}.{name} is a {value.GetType().Name}; recipes hold integers, numbers, flags, text, enum names and lists of integers."),
    };

    private static Func<ModuleRecipe, object?> Reader(Type spec, ParameterInfo parameter)
    {
        var name = parameter.Name!;
        var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
        if (type == typeof(int)) return r => r.WholeNumber(name);
        if (type == typeof(float)) return r => r.Number(name);
        if (type == typeof(bool)) return r => r.Flag(name);
        if (type == typeof(string)) return r => r.Text(name);
        if (type == typeof(IReadOnlyList<int>)) return r => r.WholeNumbers(name);
        if (type == typeof(SparseMask)) return r => SparseMask.Loaded(r.Text(name));
        if (type.IsEnum)
        {
            var choice = typeof(ModuleRecipe).GetMethod(nameof(ModuleRecipe.Choice))!.MakeGenericMethod(type);
            return r => Unwrapped(() => choice.Invoke(r, [name]));
        }
        throw new ConfigurationException($"ModuleRecipes: {spec.Name}'s constructor parameter '{name}' is a {type.Name}; recipes hold integers, numbers, flags, text, enum names and lists of integers.");
    }

    private static object? Unwrapped(Func<object?> call)
    {
        try
        {
            return call();
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }

    /// <summary>The recipe of <paramref name="spec"/>, or an error naming how to make its type savable.</summary>
    public static ModuleRecipe Of(IModuleSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var kind = spec.GetType().Name;
        if (!Kinds.TryGetValue(kind, out var entry) || entry.Type != spec.GetType())
            throw new ConfigurationException($"{spec.Method} modules cannot be saved: their recipe type {spec.GetType().FullName} is not registered. Call ModuleRecipes.Register<{kind}>() once: its constructor's parameters and the properties of the same names are its recipe.");
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
