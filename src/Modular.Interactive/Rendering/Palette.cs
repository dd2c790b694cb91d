namespace Modular.Interactive.Rendering;

/// <summary>Distinct colours for categories (runs, series), from the Tableau 10 palette.</summary>
internal static class Palette
{
    private static readonly string[] Colors = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

    /// <summary>The colour of category <paramref name="index"/> (colours repeat after ten).</summary>
    public static string Color(int index) => Colors[index % Colors.Length];
}
