using Modular.Aggregation;
using Modular.Checkpoints;
using Modular.Computation;
using Modular.NN;
using Modular.Tensors;
using Modular.Tensors.Autograd;
using Modular.Tests.Checkpoints;

namespace Modular.Tests.Modular;

/// <summary>Saving modules without the base model and loading them into a fresh copy of it.</summary>
public sealed class ModuleFileTests : IDisposable
{
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    private string FilePath => directory.File("module.safetensors");

    [Theory]
    [MemberData(nameof(ModuleCases.Names), MemberType = typeof(ModuleCases))]
    public void A_saved_module_loads_into_a_fresh_base_with_identical_outputs(string name)
    {
        var @case = ModuleCases.All[name];
        var trained = @case.Build("saved");
        Tiny.Randomize(trained, "saved");
        var (ids, mask, _, metadata) = Tiny.Data();
        trained.SaveModule("saved", FilePath);

        var fresh = @case.Build().Remove("module");   // the same base, without modules
        var loaded = fresh.LoadModule(FilePath);

        Assert.Equal("saved", loaded.Name);
        Assert.Equal(ModuleRecipes.Of(trained.Get("saved").Spec).ToString(), ModuleRecipes.Of(loaded.Spec).ToString());
        Assert.Equal(trained.Get("saved").Parts.Select(p => p.Site.HostPath), loaded.Parts.Select(p => p.Site.HostPath));
        Assert.True(Tiny.SameBits(Tiny.Outputs(trained, ids, mask, metadata), Tiny.Outputs(fresh, ids, mask, metadata)));
        Assert.Equal(trained.ParameterAccounts()[0], fresh.ParameterAccounts()[0]);
    }

    [Fact]
    public void A_module_loads_under_another_name_beside_the_original()
    {
        var model = Tiny.Classifier().WithModules().Attach(new LoRA(rank: 2), "english");
        Tiny.Randomize(model, "english");
        model.SaveModule("english", FilePath);

        var copy = model.LoadModule(FilePath, name: "copy");

        Assert.Equal(["english", "copy"], model.Modules.Keys);
        var original = (LoRAModule)model.Get("english").Parts[0].Module;
        var loaded = (LoRAModule)copy.Parts[0].Module;
        Assert.True(Tiny.SameBits(original.A.ToArray(), loaded.A.ToArray()));
        Assert.True(Tiny.SameBits(original.B.ToArray(), loaded.B.ToArray()));
    }

    [Fact]
    public void Several_modules_and_a_trained_head_save_to_one_file()
    {
        var model = Tiny.Classifier().WithModules()
            .Attach(new BottleneckAdapter(reduction: 4), "language")
            .Attach(new LoRA(rank: 2), "task");
        Tiny.Randomize(model, "language", seed: 1);
        Tiny.Randomize(model, "task", seed: 2);
        using (GradMode.NoGrad())
        using (var head = Tensor.Randn(new Rng(9), 2, 16))
            model.Base.Get<Linear>("head").Weight.Assign(head);
        model.Active = new Stack("language", "task");
        var (ids, mask, _, _) = Tiny.Data();
        model.SaveModules(["language", "task"], FilePath, "head");

        var fresh = Tiny.Classifier().WithModules();
        var loaded = fresh.LoadModules(FilePath);
        fresh.Active = new Stack("language", "task");

        Assert.Equal(["language", "task"], loaded.Select(m => m.Name));
        Assert.True(Tiny.SameBits(Tiny.Outputs(model, ids, mask), Tiny.Outputs(fresh, ids, mask)));
        Assert.Contains("head.weight", SafeTensorsFile.Read(FilePath).Names);
    }

    [Fact]
    public void The_file_holds_the_module_s_tensors_under_their_model_paths_and_its_recipe()
    {
        var model = Tiny.Classifier().WithModules().Attach("layers.0.attention.query", new LoRA(rank: 2, alpha: 4), "sentiment");
        model.SaveModule("sentiment", FilePath);

        var file = SafeTensorsFile.Read(FilePath);

        Assert.Equal(["layers.0.attention.query.modules.sentiment.A", "layers.0.attention.query.modules.sentiment.B"], file.Names);
        Assert.Equal("""[{"name":"sentiment","method":"LoRA","kind":"LoRA","settings":{"rank":2,"alpha":4,"dropout":0},"hosts":["layers.0.attention.query"]}]""", file.Metadata["modular.modules"]);
        Assert.Equal("""{"type":"TransformerClassifier","parameters":4866,"tensors":[]}""", file.Metadata["modular.base"]);
    }

    [Fact]
    public void Loading_into_a_base_of_other_sizes_names_the_shapes_and_changes_nothing()
    {
        Tiny.Classifier().WithModules().Attach(new LoRA(rank: 2), "a").SaveModule("a", FilePath);
        var narrow = TransformerClassifier.Create(vocab: 16, dModel: 8, layers: 2, heads: 2, ff: 32, classes: 2, maxLength: 8).WithModules();
        var before = Tiny.Snapshot(narrow.Base);

        var error = Assert.Throws<ShapeMismatchException>(() => narrow.LoadModule(FilePath));

        Assert.Equal($"'{FilePath}': 'layers.0.attention.query.modules.a.A' is [2, 16] in the file but [2, 8] here; 'layers.0.attention.query.modules.a.B' is [16, 2] in the file but [8, 2] here; 'layers.0.attention.value.modules.a.A' is [2, 16] in the file but [2, 8] here and 5 more differ. The file was saved from a TransformerClassifier with 4,866 parameters, a different base from this one (a TransformerClassifier with 1,954 parameters): load modules into the base model they were trained on.", error.Message);
        Assert.Empty(narrow.Modules);
        Assert.Empty(narrow.Sites);
        Assert.Empty(Tiny.Changed(before, Tiny.Snapshot(narrow.Base)));
    }

    [Fact]
    public void Loading_into_a_base_without_the_host_layers_names_them()
    {
        Tiny.Classifier().WithModules().Attach(new LoRA(rank: 2), "a").SaveModule("a", FilePath);
        var shallow = TransformerClassifier.Create(vocab: 16, dModel: 16, layers: 1, heads: 2, ff: 32, classes: 2, maxLength: 8).WithModules();

        var error = Assert.Throws<ModulePathException>(() => shallow.LoadModule(FilePath));

        Assert.StartsWith($"'{FilePath}': module 'a' (LoRA) is attached to 'layers.1.attention.query', 'layers.1.attention.value', which this base model does not have.", error.Message, StringComparison.Ordinal);
        Assert.Empty(shallow.Modules);
    }

    [Fact]
    public void A_name_clash_on_loading_leaves_the_model_as_it_was()
    {
        var model = Tiny.Classifier().WithModules().Attach(new LoRA(rank: 2), "a").Attach(new IA3(), "b");
        model.SaveModules(["a", "b"], FilePath);
        var target = Tiny.Classifier().WithModules().Attach(new BitFit(), "b");

        Assert.Throws<ConfigurationException>(() => target.LoadModules(FilePath));

        Assert.Equal(["b"], target.Modules.Keys);
        Assert.IsType<BitFit>(target.Get("b").Spec);
    }

    [Fact]
    public void Load_module_on_a_file_of_several_modules_points_to_load_modules()
    {
        Tiny.Classifier().WithModules().Attach(new LoRA(rank: 2), "a").Attach(new IA3(), "b").SaveModules(["a", "b"], FilePath);

        var error = Assert.Throws<ConfigurationException>(() => Tiny.Classifier().WithModules().LoadModule(FilePath));

        Assert.Equal($"'{FilePath}' holds 2 modules (a, b); load them together with LoadModules.", error.Message);
    }

    [Fact]
    public void A_peft_adapter_is_not_a_module_file()
    {
        var error = Assert.Throws<CheckpointFormatException>(() => Tiny.Classifier().WithModules().LoadModule(Path.Combine(PyTorchReference.PeftAdapter, PeftLoraAdapter.WeightsFileName)));

        Assert.Contains("is not a Modular module file: its metadata has no 'modular.format' entry", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_recipe_kind_lists_the_known_ones()
    {
        Tiny.Classifier().WithModules().Attach(new LoRA(rank: 2), "a").SaveModule("a", FilePath);
        var file = SafeTensorsFile.Read(FilePath);
        var metadata = file.Metadata.ToDictionary();
        metadata["modular.modules"] = metadata["modular.modules"].Replace("\"kind\":\"LoRA\"", "\"kind\":\"DoRA\"", StringComparison.Ordinal);
        SafeTensorsFile.Write(FilePath, file.GetAll(), metadata);

        var error = Assert.Throws<CheckpointFormatException>(() => Tiny.Classifier().WithModules().LoadModule(FilePath));

        Assert.StartsWith($"'{FilePath}': the module recipe kind 'DoRA' is unknown. Known kinds: BitFit, BottleneckAdapter,", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_recipe_setting_names_the_setting_and_what_was_expected()
    {
        Tiny.Classifier().WithModules().Attach(new LoRA(rank: 2), "a").SaveModule("a", FilePath);
        var file = SafeTensorsFile.Read(FilePath);
        var metadata = file.Metadata.ToDictionary();
        metadata["modular.modules"] = metadata["modular.modules"].Replace("\"rank\":2", "\"rank\":\"two\"", StringComparison.Ordinal);
        SafeTensorsFile.Write(FilePath, file.GetAll(), metadata);

        var error = Assert.Throws<CheckpointFormatException>(() => Tiny.Classifier().WithModules().LoadModule(FilePath));

        Assert.Equal($"'{FilePath}': the LoRA recipe setting 'rank' is \"two\"; expected an integer.", error.Message);
    }

    [Fact]
    public void A_module_whose_recipe_cannot_be_saved_leaves_an_existing_file_untouched()
    {
        Tiny.Classifier().WithModules().Attach(new LoRA(rank: 2), "a").SaveModule("a", FilePath);
        var original = File.ReadAllBytes(FilePath);
        var model = Tiny.Classifier().WithModules().Attach("layers.0.attention.query", new UnregisteredSpec(), "custom");

        var error = Assert.Throws<ConfigurationException>(() => model.SaveModule("custom", FilePath));

        Assert.StartsWith("Custom modules cannot be saved: their recipe type Modular.Tests.Modular.ModuleFileTests+UnregisteredSpec is not registered.", error.Message, StringComparison.Ordinal);
        Assert.Equal(original, File.ReadAllBytes(FilePath));
        Assert.Equal(["module.safetensors"], Directory.GetFiles(directory.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Every_built_in_recipe_survives_a_round_trip_through_its_saved_form()
    {
        foreach (var (name, @case) in ModuleCases.All)
        {
            var recipe = ModuleRecipes.Of(@case.Spec);
            var rebuilt = ModuleRecipes.Create(new ModuleRecipe(recipe.Kind, System.Text.Json.Nodes.JsonNode.Parse(recipe.SettingsJson)!.AsObject()));
            Assert.Equal(recipe.ToString(), ModuleRecipes.Of(rebuilt).ToString());
            Assert.Equal(@case.Spec.Method, rebuilt.Method);
            Assert.True(@case.Spec.GetType() == rebuilt.GetType(), name);
        }
    }

    private sealed class UnregisteredSpec : ModuleSpec
    {
        public override string Method => "Custom";

        public override string DefaultTargets => "";

        public override string? RejectHost(Module host) => null;

        public override ComputationModule Create(Module host, string hostPath, Rng rng) => new BiasDeltaModule(((Linear)host).OutFeatures);
    }
}
