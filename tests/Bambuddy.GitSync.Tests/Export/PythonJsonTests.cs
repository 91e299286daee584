using System.Text.Json.Nodes;
using Bambuddy.GitSync.Export;

namespace Bambuddy.GitSync.Tests.Export;

/// <summary>Expected strings are what CPython 3.11's <c>json.dumps(obj, indent=2)</c> printed for the same values.</summary>
public sealed class PythonJsonTests
{
    [Fact]
    public void NestedObjectsAndListsAreLaidOutAsPythonIndentTwo()
    {
        var node = new JsonObject
        {
            ["version"] = "1.0",
            ["settings"] = new JsonObject { ["a"] = "x", ["b"] = "" },
            ["list"] = new JsonArray(1, 2.5, true, false, null, new JsonArray(), new JsonObject()),
            ["empty"] = new JsonObject(),
        };

        var text = PythonJson.Serialize(node);

        Assert.Equal("{\n  \"version\": \"1.0\",\n  \"settings\": {\n    \"a\": \"x\",\n    \"b\": \"\"\n  },\n  \"list\": [\n    1,\n    2.5,\n    true,\n    false,\n    null,\n    [],\n    {}\n  ],\n  \"empty\": {}\n}", text);
    }

    [Theory]
    [InlineData(1.0, "1.0")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e-05, "1e-05")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(123456789012345678.0, "1.2345678901234568e+17")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(0.0, "0.0")]
    [InlineData(2.5e-300, "2.5e-300")]
    [InlineData(0.30000000000000004, "0.30000000000000004")]
    [InlineData(1.7976931348623157e308, "1.7976931348623157e+308")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(100.0, "100.0")]
    [InlineData(20.5, "20.5")]
    [InlineData(1234.5678, "1234.5678")]
    [InlineData(-3.14, "-3.14")]
    [InlineData(1e22, "1e+22")]
    [InlineData(12345678901234567.0, "1.2345678901234568e+16")]
    [InlineData(0.00012, "0.00012")]
    [InlineData(1.5e-7, "1.5e-07")]
    public void FloatsAreWrittenAsPythonRepr(double value, string expected)
    {
        Assert.Equal(expected, PythonJson.FormatFloat(value));
        Assert.Equal(expected, PythonJson.Serialize(JsonValue.Create(value)));
    }

    [Fact]
    public void StringsEscapeControlCharactersAndEveryNonAsciiCharacterAsPythonDoes()
    {
        var node = new JsonArray("plain", "quote\" back\\ slash/", "nl\n cr\r tab\t bs\b ff\f", "\u0000\u0001\u001f\u007f", "é ü ß 中文", "emoji 😀", "\u2028");

        var text = PythonJson.Serialize(node);

        Assert.Equal("[\n  \"plain\",\n  \"quote\\\" back\\\\ slash/\",\n  \"nl\\n cr\\r tab\\t bs\\b ff\\f\",\n  \"\\u0000\\u0001\\u001f\\u007f\",\n  \"\\u00e9 \\u00fc \\u00df \\u4e2d\\u6587\",\n  \"emoji \\ud83d\\ude00\",\n  \"\\u2028\"\n]", text);
        Assert.All(PythonJson.SerializeToUtf8Bytes(node), b => Assert.InRange(b, (byte)0x0A, (byte)0x7E));
    }

    [Fact]
    public void IntegersStayIntegersAndParsedNumbersKeepTheirKind()
    {
        var parsed = JsonNode.Parse("{\"i\": 9007199254740993, \"n\": -42, \"z\": 0, \"f\": 2.50, \"e\": 1E3, \"s\": \"\\u00e9\", \"o\": {\"a\": [1, {}]}}");

        var text = PythonJson.Serialize(new JsonArray(0, -1L, long.MaxValue, parsed));

        Assert.Equal("[\n  0,\n  -1,\n  9223372036854775807,\n  {\n    \"i\": 9007199254740993,\n    \"n\": -42,\n    \"z\": 0,\n    \"f\": 2.5,\n    \"e\": 1000.0,\n" +
                     "    \"s\": \"\\u00e9\",\n    \"o\": {\n      \"a\": [\n        1,\n        {}\n      ]\n    }\n  }\n]", text);
    }

    [Fact]
    public void OutputHasNoTrailingNewline()
    {
        Assert.Equal("{}", PythonJson.Serialize(new JsonObject()));
        Assert.Equal("[]", PythonJson.Serialize(new JsonArray()));
        Assert.Equal("null", PythonJson.Serialize(null));
    }
}
