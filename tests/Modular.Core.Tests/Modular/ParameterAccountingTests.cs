using Modular.Computation;
using Modular.NN;
using Modular.Tests.Checkpoints;

namespace Modular.Tests.Modular;

/// <summary>Parameter counts of the anchor model (shared/bench/torch_ref.py's CFG) and the per-module accounting behind the efficiency table.</summary>
public sealed class ParameterAccountingTests : IDisposable
{
    private const long AnchorBase = 3_431_938;
    private readonly TemporaryDirectory directory = new();

    public void Dispose() => directory.Dispose();

    private static ModularModel Anchor() =>
        TransformerClassifier.Create(vocab: 1000, dModel: 256, layers: 4, heads: 4, ff: 1024, classes: 2, maxLength: 64).WithModules();

    [Fact]
    public void Anchor_with_lora_on_query_and_value_trains_pytorch_s_33_282_of_3_464_706_parameters()
    {
        var model = Anchor().Attach("layers.*.attention.query|value", new LoRA(rank: 8, alpha: 16), "lora").TrainOnly("lora", "head");

        Assert.Equal(33_282, model.Base.TrainableParameterCount);
        Assert.Equal(3_464_706, model.Base.ParameterCount);

        var account = Assert.Single(model.ParameterAccounts());
        Assert.Equal(new ModuleAccount("lora", "LoRA", Sites: 8, TrainableParameters: 32_768, StoredParameters: 32_768, AnchorBase, account.Bytes), account);
        Assert.Equal(3_464_706, account.TotalParameters);
        Assert.Equal(100.0 * 32_768 / AnchorBase, account.PercentOfBase);
        model.SaveModule("lora", directory.File("lora.safetensors"));
        Assert.Equal(new FileInfo(directory.File("lora.safetensors")).Length, account.Bytes);
        Assert.InRange(account.Bytes - 4 * 32_768, 1, 4096);   // the data plus a small header
    }

    [Fact]
    public void Anchor_with_pfeiffer_adapters_trains_pytorch_s_34_370_of_3_465_794_parameters()
    {
        var model = Anchor().Attach(new BottleneckAdapter(reduction: 16), "adapter").TrainOnly("adapter", "head");

        Assert.Equal(34_370, model.Base.TrainableParameterCount);
        Assert.Equal(3_465_794, model.Base.ParameterCount);
        Assert.Equal(["layers.0.feedForward", "layers.1.feedForward", "layers.2.feedForward", "layers.3.feedForward"], model.Get("adapter").Parts.Select(p => p.Site.HostPath));
        // as torch_ref.py's Adapter: ReLU, Down with nn.Linear's default initialisation, Up zero
        var bottleneck = ((SequentialAdapterModule)model.Get("adapter").Parts[0].Module).Bottleneck;
        Assert.Equal(ActivationKind.Relu, bottleneck.Activation);
        Assert.All(bottleneck.Up.Weight.ToArray().Concat(bottleneck.Up.Bias!.ToArray()), v => Assert.Equal(0f, v));
        var down = bottleneck.Down.Weight.ToArray();
        Assert.All(down, v => Assert.InRange(v, -1 / 16f, 1 / 16f));
        Assert.True(down.Max() > 0.9 / 16 && down.Min() < -0.9 / 16);
    }

    [Fact]
    public void Sparse_modules_count_only_their_mask_s_entries_as_trainable()
    {
        var model = Tiny.Classifier().WithModules().Attach("layers.*.feedForward.up", new SparseFineTuning(density: 0.25f, SparseMask.Random), "sparse");

        var account = Assert.Single(model.ParameterAccounts());

        Assert.Equal(2 * 128, account.TrainableParameters);     // 25% of each 32 × 16 weight
        Assert.Equal(2 * 512, account.StoredParameters);        // the delta is stored densely
        Assert.Equal(2 * 128, model.Get("sparse").Parts.Sum(p => ((SparseDeltaModule)p.Module).Nonzero));
    }

    [Fact]
    public void A_generator_shared_by_all_prefixes_is_counted_once()
    {
        var model = Tiny.Classifier().WithModules().Attach(new PrefixTuning(tokens: 3, reparameterizationSize: 8), "prefix");

        var account = Assert.Single(model.ParameterAccounts());

        long generator = 3 * 8 + (8 * 8 + 8) + (8 * 4 * 16 + 4 * 16);   // seed, hidden layer, output layer for 4 sites of width 16
        Assert.Equal((4, generator, generator), (account.Sites, account.TrainableParameters, account.StoredParameters));
    }

    [Fact]
    public void Full_fine_tuning_trains_the_whole_base_and_adds_nothing()
    {
        var model = Tiny.Classifier().WithModules().Attach(new FullFineTuning(), "full");

        var account = Assert.Single(model.ParameterAccounts());

        Assert.Equal((0, model.BaseParameterCount, 0L), (account.Sites, account.TrainableParameters, account.StoredParameters));
        Assert.Equal(100.0, account.PercentOfBase);
        Assert.True(account.Bytes > 4 * model.BaseParameterCount);
    }

    [Fact]
    public void Accounts_per_method_add_up_the_modules_of_each_method()
    {
        var model = Tiny.Classifier().WithModules()
            .Attach(new LoRA(rank: 2), "a")
            .Attach(new BottleneckAdapter(reduction: 4), "adapter")
            .Attach("layers.0.attention.query", new LoRA(rank: 4), "b");
        var modules = model.ParameterAccounts().ToDictionary(a => a.Name);

        var methods = model.ParameterAccountsByMethod();

        Assert.Equal(["LoRA", "Bottleneck adapter (Pfeiffer)"], methods.Select(m => m.Method));
        var lora = methods[0];
        Assert.Equal("a, b", lora.Name);
        Assert.Equal(5, lora.Sites);
        Assert.Equal(4 * 64 + 128, lora.TrainableParameters);
        Assert.Equal(modules["a"].Bytes + modules["b"].Bytes, lora.Bytes);
        Assert.Equal(model.BaseParameterCount + 4 * 64 + 128, lora.TotalParameters);
    }
}
