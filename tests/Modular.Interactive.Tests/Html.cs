using System.Xml.Linq;
using HtmlAgilityPack;

namespace Modular.Interactive.Tests;

/// <summary>Parsing helpers: renderings must be well-formed (they parse as XML) and valid HTML (no parser errors).</summary>
internal static class Html
{
    /// <summary>Parses an HTML fragment, failing the test on any HTML parse error.</summary>
    public static HtmlDocument Parse(string html)
    {
        var document = new HtmlDocument { OptionCheckSyntax = true };
        document.LoadHtml(html);
        Assert.Empty(document.ParseErrors.Select(e => $"{e.Code} at line {e.Line}: {e.Reason}"));
        return document;
    }

    /// <summary>Parses a fragment as XML (our output is XHTML-compatible), which proves every element is closed and every text escaped.</summary>
    public static XElement ParseXml(string fragment) => XElement.Parse($"<root>{fragment}</root>");

    /// <summary>The text of <paramref name="node"/> as a reader sees it (entities decoded).</summary>
    public static string Text(this HtmlNode node) => System.Net.WebUtility.HtmlDecode(node.InnerText);

    /// <summary>Nodes matching an XPath, or none.</summary>
    public static IReadOnlyList<HtmlNode> All(this HtmlDocument document, string xpath) => document.DocumentNode.All(xpath);

    /// <summary>Nodes under <paramref name="node"/> matching an XPath, or none.</summary>
    public static IReadOnlyList<HtmlNode> All(this HtmlNode node, string xpath) => node.SelectNodes(xpath)?.ToList() ?? [];

    /// <summary>The one node under <paramref name="node"/> matching an XPath; fails the test when there is none.</summary>
    public static HtmlNode One(this HtmlNode node, string xpath) =>
        node.SelectSingleNode(xpath) ?? throw new Xunit.Sdk.XunitException($"No {xpath} under <{node.Name}>.");
}
