using System.Globalization;
using System.Net;
using System.Text;

namespace Modular.Interactive.Rendering;

/// <summary>Escaping, fonts and the figure frame every renderer shares, so all pictures look alike and are safe to embed.</summary>
internal static class Markup
{
    /// <summary>Coordinates and numbers in markup are always written with '.' decimals.</summary>
    public static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Font stack for every text; quoted with single quotes so it fits in double-quoted attributes.</summary>
    public const string FontFamily = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

    /// <summary>Colour of secondary text (axis ticks, captions).</summary>
    public const string MutedColor = "#5f6368";

    /// <summary>Colour of main text.</summary>
    public const string TextColor = "#1f2328";

    /// <summary>Escapes user text for element content and attribute values (quotes included).</summary>
    public static string Escape(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>Approximate rendered width of <paramref name="text"/> in pixels, for layout without a browser.</summary>
    public static double TextWidth(string text, double fontSize) => 0.6 * fontSize * text.Length;

    /// <summary>Shortens <paramref name="text"/> to at most <paramref name="maxChars"/> characters, ending with an ellipsis when cut.</summary>
    public static string Truncate(string text, int maxChars) =>
        text.Length <= maxChars ? text : string.Concat(text.AsSpan(0, Math.Max(1, maxChars - 1)), "…");

    /// <summary>
    /// Wraps a rendering in the common frame: an optional bold title, the body (scrolling sideways when wider than
    /// the page) and an optional muted caption. <paramref name="kind"/> becomes a class for tests and styling.
    /// </summary>
    public static string Figure(string kind, string? title, string body, string? caption)
    {
        var html = new StringBuilder();
        html.Append(Invariant, $"<figure class=\"modular-figure modular-{kind}\" style=\"margin:0 0 16px 0;width:fit-content;max-width:100%;font-family:{FontFamily};color:{TextColor}\">");
        if (!string.IsNullOrWhiteSpace(title))
        {
            html.Append(Invariant, $"<div class=\"modular-title\" style=\"font-size:14px;font-weight:600;margin:0 0 6px 0\">{Escape(title)}</div>");
        }
        html.Append("<div style=\"overflow-x:auto\">").Append(body).Append("</div>");
        if (!string.IsNullOrWhiteSpace(caption))
        {
            html.Append(Invariant, $"<figcaption style=\"font-size:12px;color:{MutedColor};margin:6px 0 0 0;max-width:760px\">{Escape(caption)}</figcaption>");
        }
        return html.Append("</figure>").ToString();
    }

    /// <summary>Opening tag of an inline SVG of the given size, labelled for screen readers.</summary>
    public static string SvgOpen(double width, double height, string label) => string.Create(Invariant,
        $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:0}\" height=\"{height:0}\" viewBox=\"0 0 {width:0} {height:0}\" role=\"img\" aria-label=\"{Escape(label)}\" font-family=\"{FontFamily}\" font-size=\"12\">");
}
