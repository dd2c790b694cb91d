using Modular.Checkpoints;

namespace Modular.Tests.Checkpoints;

/// <summary>The JSON spellings the reference writers use; expected strings are what CPython 3 and serde_json print.</summary>
public class JsonTextTests
{
    [Theory]
    [InlineData(0.0, "0.0")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(16.0, "16.0")]
    [InlineData(0.05, "0.05")]
    [InlineData(0.1, "0.1")]
    [InlineData(1.0 / 3.0, "0.3333333333333333")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(1.5e-7, "1.5e-07")]
    [InlineData(123456.789, "123456.789")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(1e16, "1e+16")]
    [InlineData(2.5e300, "2.5e+300")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    public void Doubles_are_formatted_as_python_repr(double value, string expected)
    {
        Assert.Equal(expected, JsonText.PythonFloat(value));
    }

    [Theory]
    [InlineData(false, "\"q\\\" b\\\\ n\\n t\\t u\\u0001 d\u007f \u00e9\u2615\"")]
    [InlineData(true, "\"q\\\" b\\\\ n\\n t\\t u\\u0001 d\\u007f \\u00e9\\u2615\"")]
    public void Strings_are_escaped_as_serde_json_or_as_python_with_ensure_ascii(bool asciiOnly, string expected)
    {
        Assert.Equal(expected, JsonText.Quote("q\" b\\ n\n t\t u\u0001 d\u007f \u00e9\u2615", asciiOnly));
    }

    [Fact]
    public void Code_point_order_puts_astral_characters_after_the_rest_of_the_basic_plane()
    {
        // Ordinal UTF-16 comparison would put U+1D11E (surrogates D834 DD1E) before U+FF21.
        string[] sorted = ["b", "A", "\U0001d11e", "\uff21", "a"];
        Array.Sort(sorted, JsonText.CodePointOrder);
        Assert.Equal(["A", "a", "b", "\uff21", "\U0001d11e"], sorted);
    }

    [Fact]
    public void Nested_values_are_dumped_with_sorted_keys_and_two_space_indentation()
    {
        var value = new Dictionary<string, object?>
        {
            ["z"] = new Dictionary<string, object?>(),
            ["b"] = new object?[] { "x", 1, null },
            ["a"] = new Dictionary<string, object?> { ["k"] = true },
            ["e"] = Array.Empty<object?>(),
        };

        Assert.Equal("{\n  \"a\": {\n    \"k\": true\n  },\n  \"b\": [\n    \"x\",\n    1,\n    null\n  ],\n  \"e\": [],\n  \"z\": {}\n}", JsonText.PythonDumps(value));
    }
}
