using Modular.Computation;
using Modular.NN;

namespace Modular.Tests.Modular;

/// <summary>One configuration of every module type, on the tiny models, shared by the gradient, training and file tests.</summary>
internal static class ModuleCases
{
    /// <summary>A module type: its recipe, where it goes (null = its default targets) and whether it needs the language model.</summary>
    public sealed record Case(IModuleSpec Spec, string? Pattern = null, bool LanguageModel = false)
    {
        public ModularModel Build(string name = "module", int seed = 1)
        {
            Module baseModel = LanguageModel ? Tiny.LanguageModel(seed) : Tiny.Classifier(seed);
            return baseModel.WithModules().Attach(Pattern, Spec, name);
        }
    }

    public static readonly IReadOnlyDictionary<string, Case> All = new Dictionary<string, Case>
    {
        ["lora"] = new(new LoRA(rank: 4, alpha: 8)),
        ["pfeiffer adapter with layer norm"] = new(new BottleneckAdapter(reduction: 4, AdapterPlacement.Pfeiffer, layerNorm: true)),
        ["houlsby adapter, gelu"] = new(new BottleneckAdapter(reduction: 4, AdapterPlacement.Houlsby, ActivationKind.Gelu)),
        ["parallel adapter"] = new(new ParallelAdapter(reduction: 4, scaling: 2f)),
        ["ia3"] = new(new IA3()),
        ["prefix tuning"] = new(new PrefixTuning(tokens: 3)),
        ["prefix tuning with mlp"] = new(new PrefixTuning(tokens: 3, reparameterizationSize: 8)),
        ["prompt tuning from tokens"] = new(new PromptTuning(tokens: 3, initFromTokens: [1, 2])),
        ["sparse fine-tuning, random mask"] = new(new SparseFineTuning(density: 0.2f, SparseMask.Random)),
        ["sparse fine-tuning, magnitude mask"] = new(new SparseFineTuning(density: 0.1f), "layers.*.feedForward.up|down"),
        ["bitfit"] = new(new BitFit()),
        ["weight delta"] = new(new WeightDeltaSpec(), "layers.0.feedForward.up, head"),
        ["invertible adapter"] = new(new InvertibleAdapter(reduction: 2), LanguageModel: true),
        ["hypernetwork adapter"] = new(new HyperAdapter(conditions: 2, embedding: 4, hidden: 8, bottleneck: 4)),
    };

    public static TheoryData<string> Names => [.. All.Keys];
}
