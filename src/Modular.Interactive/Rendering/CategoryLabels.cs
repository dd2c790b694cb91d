using System.Text;

namespace Modular.Interactive.Rendering;

/// <summary>
/// Labels under a row of equal slots (heatmap columns, bars): horizontal when they fit, otherwise rotated 45°
/// and, when slots are narrower than a line of text, thinned to every k-th label so none overlap.
/// </summary>
internal sealed class CategoryLabels
{
    private const double FontSize = 11;
    private const int MaxChars = 22;

    private readonly IReadOnlyList<string> labels;
    private readonly double slotWidth;

    private CategoryLabels(IReadOnlyList<string> labels, double slotWidth)
    {
        this.labels = labels;
        this.slotWidth = slotWidth;
        double widest = labels.Count == 0 ? 0 : labels.Max(l => Markup.TextWidth(Markup.Truncate(l, MaxChars), FontSize));
        Rotated = widest > slotWidth - 4;
        // Rotated labels stand 45° apart: neighbours need a perpendicular gap of one line height.
        Stride = Rotated ? Math.Max(1, (int)Math.Ceiling((FontSize + 2) / (slotWidth * Math.Sqrt(0.5)))) : 1;
        Height = Rotated ? widest * Math.Sqrt(0.5) + FontSize + 6 : FontSize + 8;
    }

    /// <summary>Whether labels are drawn at 45°.</summary>
    public bool Rotated { get; }

    /// <summary>Every how many slots a label is drawn (1 = all).</summary>
    public int Stride { get; }

    /// <summary>Vertical space the labels need below the slots.</summary>
    public double Height { get; }

    /// <summary>Lays out <paramref name="labels"/> for slots <paramref name="slotWidth"/> pixels wide.</summary>
    public static CategoryLabels For(IReadOnlyList<string> labels, double slotWidth) => new(labels, slotWidth);

    /// <summary>Appends the labels as SVG text under slots starting at x = <paramref name="left"/>, hanging from y = <paramref name="top"/>.</summary>
    public void WriteTo(StringBuilder svg, double left, double top)
    {
        for (int i = 0; i < labels.Count; i += Stride)
        {
            double x = left + (i + 0.5) * slotWidth;
            string shown = Markup.Escape(Markup.Truncate(labels[i], MaxChars));
            string full = Markup.Escape(labels[i]);
            if (Rotated)
            {
                double y = top + 8;
                svg.Append(Markup.Invariant,
                    $"<text class=\"axis-label\" x=\"{x:0.#}\" y=\"{y:0.#}\" font-size=\"{FontSize}\" fill=\"{Markup.MutedColor}\" text-anchor=\"end\" transform=\"rotate(-45 {x:0.#} {y:0.#})\"><title>{full}</title>{shown}</text>");
            }
            else
            {
                svg.Append(Markup.Invariant,
                    $"<text class=\"axis-label\" x=\"{x:0.#}\" y=\"{top + FontSize + 2:0.#}\" font-size=\"{FontSize}\" fill=\"{Markup.MutedColor}\" text-anchor=\"middle\"><title>{full}</title>{shown}</text>");
            }
        }
    }
}
