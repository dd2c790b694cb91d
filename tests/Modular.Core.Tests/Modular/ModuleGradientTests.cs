namespace Modular.Tests.Modular;

/// <summary>Autograd through every module type's forward agrees with finite differences (see <see cref="ModuleGradientCheck"/>).</summary>
public sealed class ModuleGradientTests
{
    [Theory]
    [MemberData(nameof(ModuleCases.Names), MemberType = typeof(ModuleCases))]
    public void Gradients_of_the_module_s_parameters_match_finite_differences(string name)
    {
        var model = ModuleCases.All[name].Build();
        Tiny.Randomize(model, "module");
        var (ids, mask, _, metadata) = Tiny.Data();
        var own = model.Get("module").OwnParameters;

        int checkedEntries = ModuleGradientCheck.Run(() => model.Forward(ids, mask, metadata), [.. model.Base.NamedParameters().Where(e => own.Contains(e.Parameter))]);

        Assert.True(checkedEntries >= 4);
    }
}
