using Modular.Computation;
using Modular.NN;
using Modular.Tensors;

namespace Modular.Tests.Modular;

/// <summary>
/// One mechanism writes and reads every recipe: a spec's constructor parameters, written from the properties of the
/// same names and read back into the constructor. A user's own spec needs no hand-written serialiser.
/// </summary>
public sealed class ModuleRecipeTests
{
    /// <summary>A user's spec: a scaled bias on any layer that tells its width.</summary>
    public sealed class ScaledBias(int width, float gain, ActivationKind shape, IReadOnlyList<int>? hint = null) : ModuleSpec
    {
        public int Width { get; } = width;

        public float Gain { get; } = gain > 0 ? gain : throw new ConfigurationException($"ScaledBias: gain {gain} must be > 0.");

        public ActivationKind Shape { get; } = shape;

        public IReadOnlyList<int>? Hint { get; } = hint;

        public override string Method => "Scaled bias";

        public override string DefaultTargets => "";

        public override string? RejectHost(Module host) => null;

        public override ComputationModule Create(Module host, string hostPath, Rng rng) => throw new NotSupportedException("not attached in this test");
    }

    /// <summary>A spec whose constructor reads a value it does not expose.</summary>
    public sealed class Opaque(int secret) : ModuleSpec
    {
        public int Visible { get; } = secret;

        public override string Method => "Opaque";

        public override string DefaultTargets => "";

        public override string? RejectHost(Module host) => null;

        public override ComputationModule Create(Module host, string hostPath, Rng rng) => throw new NotSupportedException("not attached in this test");
    }

    [Fact]
    public void A_users_spec_round_trips_through_its_recipe_without_a_serialiser()
    {
        ModuleRecipes.Register<ScaledBias>();
        var recipe = ModuleRecipes.Of(new ScaledBias(6, 0.5f, ActivationKind.Tanh, [3, 1]));
        Assert.Equal("ScaledBias", recipe.Kind);
        Assert.Equal("""{"width":6,"gain":0.5,"shape":"Tanh","hint":[3,1]}""", recipe.SettingsJson);

        var rebuilt = Assert.IsType<ScaledBias>(ModuleRecipes.Create(recipe));
        Assert.Equal((6, 0.5f, ActivationKind.Tanh), (rebuilt.Width, rebuilt.Gain, rebuilt.Shape));
        Assert.Equal([3, 1], rebuilt.Hint);
    }

    [Fact]
    public void A_recipe_value_the_constructor_refuses_is_the_constructors_error()
    {
        ModuleRecipes.Register<ScaledBias>();
        var recipe = new ModuleRecipe("ScaledBias", System.Text.Json.Nodes.JsonNode.Parse("""{"width":6,"gain":-1,"shape":"Tanh","hint":null}""")!.AsObject(), "bias.safetensors");
        var error = Assert.Throws<ConfigurationException>(() => ModuleRecipes.Create(recipe));
        Assert.Contains("gain -1 must be > 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_spec_whose_constructor_reads_a_hidden_value_cannot_be_registered()
    {
        var error = Assert.Throws<ConfigurationException>(ModuleRecipes.Register<Opaque>);
        Assert.Contains("'secret'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Opaque", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Expert_modules_are_savable_like_every_built_in_method()
    {
        var recipe = ModuleRecipes.Of(new Expert(hidden: 12, ActivationKind.Relu));
        Assert.Equal("""{"hidden":12,"activation":"Relu"}""", recipe.SettingsJson);
        var rebuilt = Assert.IsType<Expert>(ModuleRecipes.Create(recipe));
        Assert.Equal((12, ActivationKind.Relu), (rebuilt.Hidden, rebuilt.Activation));
    }
}
