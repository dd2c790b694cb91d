using Modular.Interactive.Rendering;

namespace Modular.Interactive.Tests.Rendering;

public class NumberTextTests
{
    [Theory]
    [InlineData(0.5126, 0.023, "0.513 ± 0.023")]
    [InlineData(0.4, 0.019, "0.400 ± 0.019")]
    [InlineData(0.4104, 0.0036, "0.410 ± 0.004")]
    [InlineData(0.905, 0.003, "0.905 ± 0.003")]
    [InlineData(1234.4, 25, "1234 ± 25")]
    [InlineData(12.345, 0.5, "12.3 ± 0.5")]
    [InlineData(0.5, 0, "0.5 ± 0")]
    public void Mean_and_spread_share_the_decimals_the_spread_sets(double mean, double spread, string expected) =>
        Assert.Equal(expected, NumberText.MeanAndSpread(mean, spread));
}
