using System.Text;
using Modular.Reports;

namespace Modular.Interactive.Rendering;

/// <summary>
/// Renders a <see cref="ModelSummary"/> as a collapsible tree of <c>&lt;details&gt;</c> elements: one line per module with
/// its type, output shape, parameter count and whether it trains, and a muted line per parameter tensor. Attached
/// modules (LoRA, adapters) are highlighted, and the branches that lead to them start open so they are visible at once.
/// A branch identical to an earlier sibling (the second to last layers of a Transformer, usually) shows as one row saying
/// so, with the names of the modules attached inside it, rather than repeating the subtree.
/// </summary>
public static class ModelSummaryHtml
{
    // One stylesheet per summary, scoped to the tree, instead of the same inline styles on every row: a 4-layer
    // Transformer's tree has a few hundred rows, and inline styles made its summary 128 KB. The disclosure triangle is
    // drawn by hand so that rows with and without children share one left gutter and their right-hand columns line up;
    // the style only turns it when a branch opens and hides the native marker.
    private static readonly string TreeStyle = string.Create(Markup.Invariant,
        $"<style>.modular-tree summary{{list-style:none;cursor:pointer;padding:1px 0}}.modular-tree summary::-webkit-details-marker{{display:none}}" +
        $".modular-tree details[open]>summary .tw{{transform:rotate(90deg)}}" +
        $".modular-tree .kids{{margin-left:18px}}.modular-tree div.node,.modular-tree .parameter{{padding:1px 0}}.modular-tree .parameter{{color:{Markup.MutedColor}}}" +
        $".modular-tree .hl{{background:#f3e8ff;box-shadow:inset 3px 0 0 #8b5cf6}}" +
        $".modular-tree .r{{display:inline-flex;width:100%;align-items:baseline;gap:8px}}" +
        $".modular-tree .tw{{display:inline-block;width:10px;font-size:10px;color:{Markup.MutedColor}}}" +
        $".modular-tree .nm{{flex:1;min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}}.modular-tree .nm code{{font-size:12.5px}}" +
        $".modular-tree .ty{{color:{Markup.MutedColor}}}" +
        $".modular-tree .attached{{margin-left:6px;padding:0 7px;border-radius:8px;background:#8b5cf6;color:#fff;font-size:11px}}" +
        $".modular-tree .sh{{width:120px;color:{Markup.MutedColor};font-family:ui-monospace,monospace;font-size:12px}}" +
        $".modular-tree .ct{{width:70px;text-align:right;font-variant-numeric:tabular-nums}}.modular-tree .st{{width:76px}}" +
        $".modular-tree .st span{{padding:0 6px;border-radius:8px;font-size:11px}}" +
        $".modular-tree .state-trainable{{background:#e6f4ea;color:#137333}}.modular-tree .state-frozen{{background:#f1f3f4;color:#5f6368}}" +
        $".modular-tree .state-mixed{{background:#fef7e0;color:#b06000}}.modular-tree .same{{color:{Markup.MutedColor};font-style:italic;margin-left:6px}}</style>");

    /// <summary>The tree as an HTML figure; <paramref name="openDepth"/> levels below the root start expanded.</summary>
    public static string Render(ModelSummary summary, int openDepth = 1)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var body = new StringBuilder();
        body.Append(Markup.Invariant, $"<div class=\"modular-headline\" style=\"font-size:13px;margin:0 0 6px 0\">{Markup.Escape(summary.Headline)}</div>");
        body.Append("<div class=\"modular-tree\" style=\"font-size:13px;width:860px;max-width:100%\">").Append(TreeStyle);
        WriteNode(body, summary.Root, depth: 0, openDepth, new Dictionary<ModelSummaryNode, string>());
        body.Append("</div>");
        return Markup.Figure("summary", summary.Title, body.ToString(), caption: null);
    }

    private static void WriteNode(StringBuilder html, ModelSummaryNode node, int depth, int openDepth, Dictionary<ModelSummaryNode, string> signatures)
    {
        string highlight = node.IsAttachedModule ? " hl" : "";
        string name = node.Path.Length == 0 ? "(model)" : node.Name;
        if (node.Children.Count == 0 && node.Parameters.Count == 0)
        {
            html.Append(Markup.Invariant, $"<div class=\"node{highlight}\" title=\"{Markup.Escape(node.Path)}\">");
            Row(html, name, node.TypeName, node.OutputShape?.ToString(), node.ParameterCount, node.State, node.AttachedModuleName, twisty: false);
            html.Append("</div>");
            return;
        }
        bool open = depth < openDepth || node.Children.Any(c => c.ContainsAttachedModule);
        html.Append(Markup.Invariant, $"<details class=\"node{highlight}\"{(open ? " open=\"\"" : "")}><summary title=\"{Markup.Escape(node.Path)}\">");
        Row(html, name, node.TypeName, node.OutputShape?.ToString(), node.ParameterCount, node.State, node.AttachedModuleName, twisty: true);
        html.Append("</summary><div class=\"kids\">");
        foreach (var parameter in node.Parameters)
        {
            html.Append("<div class=\"parameter\">");
            Row(html, parameter.Name, "", parameter.Shape.ToString(), parameter.Count, parameter.Trainable ? ParameterState.Trainable : ParameterState.Frozen, null, twisty: false);
            html.Append("</div>");
        }
        var firstWithSignature = new Dictionary<string, ModelSummaryNode>();
        foreach (var child in node.Children)
        {
            bool branch = child.Children.Count > 0 || child.Parameters.Count > 0;
            if (branch && !firstWithSignature.TryAdd(Signature(child, signatures), child))
            {
                WriteRepeat(html, child, firstWithSignature[Signature(child, signatures)]);
            }
            else
            {
                WriteNode(html, child, depth + 1, openDepth, signatures);
            }
        }
        html.Append("</div></details>");
    }

    /// <summary>A branch with the same structure as <paramref name="original"/>, an earlier sibling: one row naming it and the modules attached inside.</summary>
    private static void WriteRepeat(StringBuilder html, ModelSummaryNode node, ModelSummaryNode original)
    {
        html.Append(Markup.Invariant, $"<div class=\"node{(node.IsAttachedModule ? " hl" : "")}\" title=\"{Markup.Escape(node.Path)}\">");
        var attachedInside = node.AttachedModuleName is null
            ? Descendants(node).Select(n => n.AttachedModuleName).OfType<string>().Distinct().ToList()
            : [];
        var note = new StringBuilder();
        note.Append(Markup.Invariant, $"<span class=\"same\">same as {Markup.Escape(original.Name)}{(attachedInside.Count > 0 ? ", with" : "")}</span>");
        foreach (string attached in attachedInside)
        {
            note.Append(Markup.Invariant, $" <span class=\"attached\" title=\"attached module '{Markup.Escape(attached)}'\">{Markup.Escape(attached)}</span>");
        }
        Row(html, node.Name, node.TypeName, node.OutputShape?.ToString(), node.ParameterCount, node.State, node.AttachedModuleName, twisty: false, note.ToString());
        html.Append("</div>");
    }

    private static IEnumerable<ModelSummaryNode> Descendants(ModelSummaryNode node) => node.Children.SelectMany(c => Descendants(c).Prepend(c));

    /// <summary>Everything a row and its subtree show, except the node's own name: equal signatures render identically.</summary>
    private static string Signature(ModelSummaryNode node, Dictionary<ModelSummaryNode, string> signatures)
    {
        if (signatures.TryGetValue(node, out string? known)) return known;
        var text = new StringBuilder();
        text.Append(Markup.Invariant, $"{node.TypeName}|{node.OutputShape}|{node.ParameterCount}|{node.State}|{node.AttachedModuleName}[");
        foreach (var p in node.Parameters) text.Append(Markup.Invariant, $"{p.Name}:{p.Shape}:{p.Trainable};");
        foreach (var c in node.Children) text.Append(c.Name).Append('=').Append(Signature(c, signatures)).Append(';');
        string signature = text.Append(']').ToString();
        signatures[node] = signature;
        return signature;
    }

    /// <summary>One line: gutter, name and type on the left; shape, count and state in fixed columns on the right, aligned across levels.</summary>
    private static void Row(StringBuilder html, string name, string typeName, string? shape, long parameters, ParameterState state, string? attachedAs, bool twisty, string note = "")
    {
        html.Append(Markup.Invariant, $"<span class=\"r\"><span class=\"tw\">{(twisty ? "▶" : "")}</span><span class=\"nm\"><code>{Markup.Escape(name)}</code>");
        if (typeName.Length > 0) html.Append(Markup.Invariant, $" <span class=\"ty\">{Markup.Escape(typeName)}</span>");
        if (attachedAs is not null) html.Append(Markup.Invariant, $" <span class=\"attached\" title=\"attached module '{Markup.Escape(attachedAs)}'\">{Markup.Escape(attachedAs)}</span>");
        html.Append(note).Append(Markup.Invariant, $"</span><span class=\"sh\">{Markup.Escape(shape ?? "")}</span>");
        html.Append(Markup.Invariant, $"<span class=\"ct\" title=\"{NumberText.Count(parameters)} parameters\">{(parameters == 0 ? "" : NumberText.Compact(parameters))}</span>");
        html.Append("<span class=\"st\">").Append(StateBadge(state)).Append("</span></span>");
    }

    private static string StateBadge(ParameterState state) => state switch
    {
        ParameterState.Trainable => "<span class=\"state-trainable\">trainable</span>",
        ParameterState.Frozen => "<span class=\"state-frozen\">frozen</span>",
        ParameterState.Mixed => "<span class=\"state-mixed\">mixed</span>",
        _ => "",
    };
}
