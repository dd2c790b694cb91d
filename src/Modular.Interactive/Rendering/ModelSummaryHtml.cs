using System.Text;
using Modular.Reports;

namespace Modular.Interactive.Rendering;

/// <summary>
/// Renders a <see cref="ModelSummary"/> as a collapsible tree of <c>&lt;details&gt;</c> elements: one line per module with
/// its type, output shape, parameter count and whether it trains, and a muted line per parameter tensor. Attached
/// modules (LoRA, adapters) are highlighted, and the branches that lead to them start open so they are visible at once.
/// </summary>
public static class ModelSummaryHtml
{
    // The disclosure triangle is drawn by hand so that rows with and without children share one left gutter and
    // their right-hand columns line up; the style only turns it when a branch opens and hides the native marker.
    private const string TreeStyle =
        "<style>.modular-tree summary{list-style:none}.modular-tree summary::-webkit-details-marker{display:none}" +
        ".modular-tree details[open]>summary .twisty{transform:rotate(90deg)}</style>";

    /// <summary>The tree as an HTML figure; <paramref name="openDepth"/> levels below the root start expanded.</summary>
    public static string Render(ModelSummary summary, int openDepth = 1)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var body = new StringBuilder();
        body.Append(Markup.Invariant, $"<div class=\"modular-headline\" style=\"font-size:13px;margin:0 0 6px 0\">{Markup.Escape(summary.Headline)}</div>");
        body.Append("<div class=\"modular-tree\" style=\"font-size:13px;width:860px;max-width:100%\">").Append(TreeStyle);
        WriteNode(body, summary.Root, depth: 0, openDepth);
        body.Append("</div>");
        return Markup.Figure("summary", summary.Title, body.ToString(), caption: null);
    }

    private static void WriteNode(StringBuilder html, ModelSummaryNode node, int depth, int openDepth)
    {
        string highlight = node.IsAttachedModule ? "background:#f3e8ff;box-shadow:inset 3px 0 0 #8b5cf6;" : "";
        string name = node.Path.Length == 0 ? "(model)" : node.Name;
        if (node.Children.Count == 0 && node.Parameters.Count == 0)
        {
            html.Append(Markup.Invariant, $"<div class=\"node\" style=\"{highlight}padding:1px 0\" title=\"{Markup.Escape(node.Path)}\">{Row(name, node.TypeName, node.OutputShape?.ToString(), node.ParameterCount, node.State, node.AttachedModuleName, twisty: false)}</div>");
            return;
        }
        bool open = depth < openDepth || node.Children.Any(c => c.ContainsAttachedModule);
        html.Append(Markup.Invariant, $"<details class=\"node\"{(open ? " open=\"\"" : "")} style=\"{highlight}\"><summary style=\"cursor:pointer;padding:1px 0\" title=\"{Markup.Escape(node.Path)}\">");
        html.Append(Row(name, node.TypeName, node.OutputShape?.ToString(), node.ParameterCount, node.State, node.AttachedModuleName, twisty: true));
        html.Append("</summary><div style=\"margin-left:18px\">");
        foreach (var parameter in node.Parameters)
        {
            var state = parameter.Trainable ? ParameterState.Trainable : ParameterState.Frozen;
            html.Append(Markup.Invariant,
                $"<div class=\"parameter\" style=\"padding:1px 0;color:{Markup.MutedColor}\">{Row(parameter.Name, "", parameter.Shape.ToString(), parameter.Count, state, null, twisty: false)}</div>");
        }
        foreach (var child in node.Children) WriteNode(html, child, depth + 1, openDepth);
        html.Append("</div></details>");
    }

    /// <summary>One line: gutter, name and type on the left; shape, count and state in fixed columns on the right, aligned across levels.</summary>
    private static string Row(string name, string typeName, string? shape, long parameters, ParameterState state, string? attachedAs, bool twisty)
    {
        string attached = attachedAs is null ? ""
            : $" <span class=\"attached\" title=\"attached module '{Markup.Escape(attachedAs)}'\" style=\"margin-left:6px;padding:0 7px;border-radius:8px;background:#8b5cf6;color:#fff;font-size:11px\">{Markup.Escape(attachedAs)}</span>";
        string type = typeName.Length == 0 ? "" : $" <span style=\"color:{Markup.MutedColor}\">{Markup.Escape(typeName)}</span>";
        return string.Create(Markup.Invariant,
            $"<span style=\"display:inline-flex;width:100%;align-items:baseline;gap:8px\">" +
            $"<span class=\"twisty\" style=\"display:inline-block;width:10px;font-size:10px;color:{Markup.MutedColor}\">{(twisty ? "▶" : "")}</span>" +
            $"<span style=\"flex:1;min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap\"><code style=\"font-size:12.5px\">{Markup.Escape(name)}</code>{type}{attached}</span>" +
            $"<span style=\"width:120px;color:{Markup.MutedColor};font-family:ui-monospace,monospace;font-size:12px\">{Markup.Escape(shape ?? "")}</span>" +
            $"<span style=\"width:70px;text-align:right;font-variant-numeric:tabular-nums\" title=\"{NumberText.Count(parameters)} parameters\">{(parameters == 0 ? "" : NumberText.Compact(parameters))}</span>" +
            $"<span style=\"width:76px\">{StateBadge(state)}</span></span>");
    }

    private static string StateBadge(ParameterState state)
    {
        var (text, background, color) = state switch
        {
            ParameterState.Trainable => ("trainable", "#e6f4ea", "#137333"),
            ParameterState.Frozen => ("frozen", "#f1f3f4", "#5f6368"),
            ParameterState.Mixed => ("mixed", "#fef7e0", "#b06000"),
            _ => ("", "", ""),
        };
        return text.Length == 0 ? ""
            : $"<span class=\"state-{text}\" style=\"padding:0 6px;border-radius:8px;font-size:11px;background:{background};color:{color}\">{text}</span>";
    }
}
