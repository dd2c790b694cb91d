using Modular.Routing;
using Modular.Tensors;
using Modular.Tensors.Autograd;
using Modular.Tests.Support;

namespace Modular.Tests.Routing;

/// <summary>
/// The top-k router's auxiliary losses against PyTorch 1.13 (tests/golden/generate_routing.py): the Switch
/// load-balancing loss N·Σᵢ fᵢPᵢ and the router z-loss mean(logsumexp(logits)²), their values and their gradients
/// with respect to the gate weight. fᵢ is the share of the T·k top-k assignments that chose expert i, counted before
/// capacity (so a capacity-dropped assignment still counts) — for k = 1, Switch's fraction of tokens; it is a
/// constant, and the gradient flows through the mean probabilities Pᵢ only.
/// </summary>
public sealed class RoutingLossGoldenTests
{
    private static readonly NnFixture Cases = NnFixture.Load("routing-losses.json");

    public static TheoryData<string> CaseNames => ["top1", "top2_capacity", "top2_wide"];

    /// <summary>Twice the deviation of PyTorch's float32 results from float64 (the generator measures it), since both round independently.</summary>
    private static double Floor(NnFixture c) => 2 * c.Number("float32_error");

    /// <summary>A router with the fixture's gate and the given loss weights, in training mode (the mode that adds the losses).</summary>
    private static TopKRouter Router(NnFixture c, float balanceWeight, float zLossWeight)
    {
        var router = new TopKRouter(c.Int("dimension"), c.Int("experts"), c.Int("k"), new Rng(0), (float)c.Number("capacity_factor"), balanceWeight: balanceWeight, zLossWeight: zLossWeight);
        using (GradMode.NoGrad()) router.Gate.Weight.Assign(c.Tensor("gate_weight"));
        return router;
    }

    /// <summary>Routes the fixture's tokens and back-propagates the weighted auxiliary loss; returns it and the gate's gradient.</summary>
    private static (float Loss, Tensor Gradient, RoutingDecision Decision, TopKRouter Router) Run(NnFixture c, float balanceWeight, float zLossWeight)
    {
        var router = Router(c, balanceWeight, zLossWeight);
        var decision = router.Route(c.Tensor("x"));
        var loss = decision.AuxiliaryLoss!(Tensor.Zeros(1));
        loss.Backward();
        return (loss.Item(), router.Gate.Weight.Grad!, decision, router);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Probabilities_and_choices_match_torch(string name)
    {
        var c = Cases["cases/" + name];
        var (_, _, decision, _) = Run(c, 1f, 0f);
        NnAssert.Close(decision.Probabilities, c.Tensor("probabilities"), 1e-5, Floor(c), "probabilities");
        Assert.Equal(c.Items("chosen").Select(e => e.Int("")).ToArray(), decision.Chosen!.ToArray());
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Load_balancing_loss_and_its_gradient_match_torch(string name)
    {
        var c = Cases["cases/" + name];
        var (loss, gradient, decision, _) = Run(c, balanceWeight: 1f, zLossWeight: 0f);
        Assert.Equal(c.Number("balance_loss"), loss, 1e-5 * c.Number("balance_loss"));
        Assert.Equal(c.Number("balance_loss"), decision.BalanceLoss!.Item(), 1e-5 * c.Number("balance_loss"));
        NnAssert.Close(gradient, c.Tensor("grad_balance_weight"), 1e-4, Floor(c), "∂ balance / ∂ W");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Z_loss_and_its_gradient_match_torch(string name)
    {
        var c = Cases["cases/" + name];
        var (loss, gradient, decision, _) = Run(c, balanceWeight: 0f, zLossWeight: 1f);
        Assert.Equal(c.Number("z_loss"), loss, 1e-5 * c.Number("z_loss"));
        Assert.Equal(c.Number("z_loss"), decision.ZLoss!.Item(), 1e-5 * c.Number("z_loss"));
        NnAssert.Close(gradient, c.Tensor("grad_z_weight"), 1e-4, Floor(c), "∂ z-loss / ∂ W");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void The_training_loss_adds_both_terms_with_their_weights(string name)
    {
        var c = Cases["cases/" + name];
        var (loss, gradient, _, _) = Run(c, balanceWeight: 0.01f, zLossWeight: 0.001f);
        double expected = 0.01 * c.Number("balance_loss") + 0.001 * c.Number("z_loss");
        Assert.Equal(expected, loss, 1e-5 * expected);
        var expectedGradient = c.Tensor("grad_balance_weight").Mul(0.01f).Add(c.Tensor("grad_z_weight").Mul(0.001f));
        NnAssert.Close(gradient, expectedGradient, 1e-4, Floor(c) * 0.01, "weighted gradient");
    }

    [Fact]
    public void The_balance_gradient_is_that_of_the_mean_probabilities_weighted_by_the_constant_fractions()
    {
        // N·Σᵢ fᵢ·Pᵢ with f held constant: its gradient with respect to the probabilities is N·fᵢ/T for every token.
        // Back-propagating exactly that through the softmax must give the router's gradient: nothing flows through f.
        var c = Cases["cases/top2_capacity"];
        var (_, routerGradient, _, _) = Run(c, 1f, 0f);
        var f = c.Tensor("fraction");
        int tokens = c.Int("tokens"), experts = c.Int("experts");
        var gate = Router(c, 0f, 0f).Gate;
        var probabilities = gate.Forward(c.Tensor("x")).Softmax(-1);
        var perToken = Tensor.Ones(tokens, 1).MatMul(f.Reshape(1, experts)).Mul((float)experts / tokens);
        probabilities.Mul(perToken).Sum().Backward();
        NnAssert.Close(routerGradient, gate.Weight.Grad!, 1e-5, 1e-7, "gradient through P only");
        Assert.Equal([4 / 24f, 9 / 24f, 5 / 24f, 6 / 24f], f.ToArray()); // 24 = T·k assignments, dropped ones included
    }

    [Fact]
    public void Evaluation_mode_reports_the_losses_but_adds_nothing_to_train_on()
    {
        var c = Cases["cases/top1"];
        var router = Router(c, 1f, 1f);
        router.Eval();
        var decision = router.Route(c.Tensor("x"));
        Assert.Null(decision.AuxiliaryLoss);
        Assert.Equal(c.Number("balance_loss"), decision.BalanceLoss!.Item(), 1e-5);
    }
}
