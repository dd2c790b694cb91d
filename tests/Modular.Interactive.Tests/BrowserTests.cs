using Microsoft.Playwright;
using Modular.Reports;

namespace Modular.Interactive.Tests;

/// <summary>
/// Opens a report with every renderer in headless Chromium (Debian's, installed by scripts/test.sh; no browser
/// download) and checks what a reader would see. Screenshots land under the test output's artifacts/browser.
/// </summary>
public class BrowserTests
{
    private static string ChromiumPath => Environment.GetEnvironmentVariable("MODULAR_CHROMIUM") ?? "/usr/bin/chromium";

    [Fact]
    public async Task A_report_with_every_renderer_shows_all_its_pictures_in_chromium_without_errors()
    {
        string folder = Repository.Artifacts("browser");
        string file = Path.Combine(folder, "every-renderer.html");
        var allocation = DemoReports.Allocation();
        using (var report = new HtmlReport(file, "Every Modular renderer"))
        {
            report.AddHeading("Heatmaps").Add(allocation).Add(DemoReports.Routing(2, 2, "Two experts, two tokens")).Add(DemoReports.Routing(8, 200));
            report.AddHeading("Parameter efficiency").Add(DemoReports.Comparison());
            report.AddHeading("Training").Add(DemoReports.Curves()).Add(new TrainingProgress(420, 1000, 0.4312, TimeSpan.FromSeconds(84)) { TotalEpochs = 3, RunName = "LoRA r=8" });
            report.AddHeading("Experts").Add(DemoReports.Load());
            report.AddHeading("Model").Add(DemoReports.LoraModel());
            report.Add(DemoReports.Malicious);
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } });
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type is "error" or "warning") errors.Add(message.Text); };
        page.PageError += (_, error) => errors.Add(error);
        page.Dialog += (_, dialog) => errors.Add($"dialog opened: {dialog.Message}");

        await page.GotoAsync(new Uri(file).AbsoluteUri);

        var heatmaps = page.Locator("figure.modular-heatmap");
        Assert.Equal(3, await heatmaps.CountAsync());
        int[] cells = [await CellCount(heatmaps.Nth(0)), await CellCount(heatmaps.Nth(1)), await CellCount(heatmaps.Nth(2))];
        Assert.Equal([6 * 8, 2 * 2, 8 * 200], cells);
        Assert.Equal(5, await page.Locator("figure.modular-peft-table tbody tr").CountAsync());
        Assert.Equal(4, await page.Locator("figure.modular-curves polyline.series").CountAsync());
        Assert.Equal(8, await page.Locator("figure.modular-expert-load rect.bar-kept").CountAsync());
        Assert.Equal(2, await page.Locator("figure.modular-summary span.attached").CountAsync());
        Assert.True(await page.Locator("figure.modular-summary span.attached").First.IsVisibleAsync(), "attached modules are visible without expanding the tree");
        Assert.Equal(1, await page.Locator("div.modular-progress span[role=progressbar]").CountAsync());
        Assert.Equal(0, await page.Locator("body script").CountAsync());
        Assert.Contains(DemoReports.Malicious, await page.Locator("body > section").Last.InnerTextAsync(), StringComparison.Ordinal);

        // The cells are laid out at their computed size: the 2 × 2 heatmap's are 56 px wide (57 with their white
        // separating stroke), the 200-column one's 4 px (no stroke).
        Assert.Equal(57, (await heatmaps.Nth(1).Locator("rect.cell").First.BoundingBoxAsync())!.Width, precision: 0);
        Assert.Equal(4, (await heatmaps.Nth(2).Locator("rect.cell").First.BoundingBoxAsync())!.Width, precision: 0);

        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "every-renderer.png"), FullPage = true });
        await heatmaps.Nth(0).ScreenshotAsync(new() { Path = Path.Combine(folder, "heatmap.png") });
        await heatmaps.Nth(2).ScreenshotAsync(new() { Path = Path.Combine(folder, "heatmap-200.png") });
        await page.Locator("figure.modular-peft-table").ScreenshotAsync(new() { Path = Path.Combine(folder, "peft-table.png") });
        await page.Locator("figure.modular-curves").ScreenshotAsync(new() { Path = Path.Combine(folder, "curves.png") });
        await page.Locator("figure.modular-summary").ScreenshotAsync(new() { Path = Path.Combine(folder, "model-summary.png") });
        await page.Locator("figure.modular-expert-load").ScreenshotAsync(new() { Path = Path.Combine(folder, "expert-load.png") });
        Assert.True(new FileInfo(Path.Combine(folder, "every-renderer.png")).Length > 10_000);
        Assert.Empty(errors);
    }

    private static Task<int> CellCount(ILocator figure) => figure.Locator("rect.cell").CountAsync();
}
