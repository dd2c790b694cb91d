using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Modular.Checkpoints;

/// <summary>
/// The few pieces of JSON text the interchange files need byte for byte as their reference writers produce
/// them: Rust's serde_json (safetensors headers) and Python's <c>json.dumps</c> (PEFT configs). System.Text.Json
/// escapes and formats differently (uppercase hex, HTML-safe escapes, "0" for 0.0), so these are written by hand.
/// </summary>
internal static class JsonText
{
    /// <summary>
    /// Orders strings by Unicode code point, which is how Rust and Python compare strings (and equals UTF-8
    /// byte order). Ordinal UTF-16 comparison differs for characters above U+FFFF versus U+E000–U+FFFF.
    /// </summary>
    public static readonly IComparer<string> CodePointOrder = Comparer<string>.Create(CompareCodePoints);

    private static int CompareCodePoints(string a, string b)
    {
        var left = a.EnumerateRunes();
        var right = b.EnumerateRunes();
        while (true)
        {
            bool hasLeft = left.MoveNext(), hasRight = right.MoveNext();
            if (!hasLeft || !hasRight) return hasLeft.CompareTo(hasRight);
            int byValue = left.Current.Value.CompareTo(right.Current.Value);
            if (byValue != 0) return byValue;
        }
    }

    /// <summary>
    /// <paramref name="value"/> as a quoted JSON string. Both reference writers escape the quote, the backslash and
    /// control characters (short forms for \b \f \n \r \t, otherwise \u00xx in lowercase hex); with
    /// <paramref name="asciiOnly"/> (Python's default <c>ensure_ascii</c>) every character outside space..tilde is
    /// escaped as \uxxxx too, otherwise it is written as is (serde_json).
    /// </summary>
    public static string Quote(string value, bool asciiOnly)
    {
        var json = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                default:
                    if (c < ' ' || (asciiOnly && c > '~')) json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else json.Append(c);
                    break;
            }
        }
        return json.Append('"').ToString();
    }

    /// <summary>
    /// Formats <paramref name="value"/> as Python's <c>json.dumps(value, indent=2, sort_keys=True)</c> does, the way
    /// PEFT writes adapter_config.json. Values are null, bool, int, double, string, lists of values and
    /// <c>IReadOnlyDictionary&lt;string, object?&gt;</c> maps.
    /// </summary>
    public static string PythonDumps(object? value)
    {
        var json = new StringBuilder();
        AppendPython(json, value, depth: 0);
        return json.ToString();
    }

    private static void AppendPython(StringBuilder json, object? value, int depth)
    {
        switch (value)
        {
            case null: json.Append("null"); break;
            case bool flag: json.Append(flag ? "true" : "false"); break;
            case int integer: json.Append(integer.ToString(CultureInfo.InvariantCulture)); break;
            case double number: json.Append(PythonFloat(number)); break;
            case string text: json.Append(Quote(text, asciiOnly: true)); break;
            case IReadOnlyDictionary<string, object?> map:
                AppendPythonItems(json, '{', '}', map.OrderBy(e => e.Key, CodePointOrder).ToList(), depth, (entry, d) =>
                {
                    json.Append(Quote(entry.Key, asciiOnly: true)).Append(": ");
                    AppendPython(json, entry.Value, d);
                });
                break;
            case IEnumerable<object?> list:
                AppendPythonItems(json, '[', ']', list.ToList(), depth, (item, d) => AppendPython(json, item, d));
                break;
            default:
                throw new ArgumentException($"PythonDumps cannot write a {value.GetType().Name}.", nameof(value));
        }
    }

    // Python's indented layout: empty containers stay on one line, items go one per line, two spaces per level.
    private static void AppendPythonItems<T>(StringBuilder json, char open, char close, List<T> items, int depth, Action<T, int> appendItem)
    {
        json.Append(open);
        if (items.Count == 0)
        {
            json.Append(close);
            return;
        }
        for (int i = 0; i < items.Count; i++)
        {
            json.Append(i == 0 ? "\n" : ",\n").Append(' ', 2 * (depth + 1));
            appendItem(items[i], depth + 1);
        }
        json.Append('\n').Append(' ', 2 * depth).Append(close);
    }

    /// <summary>
    /// Formats a double as Python's <c>repr</c> does (and so <c>json.dumps</c>): the shortest digits that round-trip,
    /// positional notation with at least one decimal ("0.0", "16.0", "0.05") while the decimal exponent lies in
    /// [-4, 16), scientific otherwise ("1e-05", "1e+16"). Non-finite values use Python's JSON spellings.
    /// </summary>
    public static string PythonFloat(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsInfinity(value)) return value > 0 ? "Infinity" : "-Infinity";
        string sign = double.IsNegative(value) ? "-" : "";
        if (value == 0) return sign + "0.0";

        var (digits, pointPosition) = ShortestDigits(Math.Abs(value));
        if (pointPosition is <= -4 or > 16)
        {
            string mantissa = digits.Length == 1 ? digits : $"{digits[0]}.{digits[1..]}";
            int exponent = pointPosition - 1;
            return $"{sign}{mantissa}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture)}";
        }
        if (pointPosition <= 0) return $"{sign}0.{new string('0', -pointPosition)}{digits}";
        if (pointPosition >= digits.Length) return $"{sign}{digits}{new string('0', pointPosition - digits.Length)}.0";
        return $"{sign}{digits[..pointPosition]}.{digits[pointPosition..]}";
    }

    /// <summary>
    /// The shortest round-trip significant digits of a positive finite value, without leading or trailing zeros,
    /// and the position of the decimal point relative to them (value = 0.digits × 10^pointPosition).
    /// </summary>
    private static (string Digits, int PointPosition) ShortestDigits(double value)
    {
        // .NET's "R" gives the shortest round-trip digits, either positional ("0.05") or scientific ("1E-05").
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        int exponentAt = text.IndexOf('E', StringComparison.Ordinal);
        string mantissa = exponentAt < 0 ? text : text[..exponentAt];
        int exponent = exponentAt < 0 ? 0 : int.Parse(text[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

        int pointAt = mantissa.IndexOf('.', StringComparison.Ordinal);
        string allDigits = pointAt < 0 ? mantissa : mantissa.Remove(pointAt, 1);
        int pointPosition = (pointAt < 0 ? mantissa.Length : pointAt) + exponent;

        string trimmedLeading = allDigits.TrimStart('0');
        pointPosition -= allDigits.Length - trimmedLeading.Length;
        return (trimmedLeading.TrimEnd('0'), pointPosition);
    }

    /// <summary>Describes a JSON value for an error message: its kind, plus the literal for numbers and booleans.</summary>
    public static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => $"an array of {element.GetArrayLength()} items",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => $"the number {element.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {element.GetRawText()}",
        _ => "null",
    };
}
