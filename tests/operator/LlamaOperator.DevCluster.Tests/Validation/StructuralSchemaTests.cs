using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Validation;

namespace LlamaOperator.DevCluster.Tests.Validation;

public class StructuralSchemaTests
{
    private static StructuralSchema Schema() => new((JsonObject)JsonNode.Parse("""
        {"type":"object","required":["spec"],"properties":{
          "spec":{"type":"object","required":["size"],"properties":{
            "size":{"type":"integer","minimum":1,"maximum":10},
            "color":{"type":"string","enum":["red","blue"],"default":"red"},
            "name":{"type":"string","maxLength":8,"pattern":"^[a-z]+$"},
            "port":{"x-kubernetes-int-or-string":true},
            "tags":{"type":"array","maxItems":2,"items":{"type":"string"}},
            "extra":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}},
          "status":{"type":"object","properties":{"phase":{"type":"string"}}}}}
        """)!);

    private static JsonObject Obj(string json) => (JsonObject)JsonNode.Parse(json)!;

    [Fact]
    public void Valid_object_gets_defaults_and_loses_unknown_fields()
    {
        var obj = Obj("""{"apiVersion":"example.dev/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"size":2,"bogus":1,"extra":{"free":true}},"junk":1}""");
        var result = Schema().Check(obj);
        Assert.Empty(result.Errors);
        Assert.Equal(["junk", "spec.bogus"], result.UnknownFields.Order());
        Assert.Equal("red", (string?)obj["spec"]!["color"]);
        Assert.Null(obj["spec"]!["bogus"]);
        Assert.True((bool)obj["spec"]!["extra"]!["free"]!);
    }

    [Theory]
    [InlineData("""{"spec":{"size":"3"}}""", "spec.size", "FieldValueTypeInvalid", "spec.size in body must be of type integer: \"string\"")]
    [InlineData("""{"spec":{"size":0}}""", "spec.size", "FieldValueInvalid", "should be greater than or equal to 1")]
    [InlineData("""{"spec":{"size":11}}""", "spec.size", "FieldValueInvalid", "should be less than or equal to 10")]
    [InlineData("""{"spec":{}}""", "spec.size", "FieldValueRequired", "Required value")]
    [InlineData("""{}""", "spec", "FieldValueRequired", "Required value")]
    [InlineData("""{"spec":{"size":1,"color":"pink"}}""", "spec.color", "FieldValueNotSupported", "supported values: \"red\", \"blue\"")]
    [InlineData("""{"spec":{"size":1,"name":"abcdefghij"}}""", "spec.name", "FieldValueTooLong", "may not be more than 8 bytes")]
    [InlineData("""{"spec":{"size":1,"name":"ABC"}}""", "spec.name", "FieldValueInvalid", "should match '^[a-z]+$'")]
    [InlineData("""{"spec":{"size":1,"tags":["a","b","c"]}}""", "spec.tags", "FieldValueTooMany", "must have at most 2 items")]
    [InlineData("""{"spec":{"size":1,"tags":["a",5]}}""", "spec.tags[1]", "FieldValueTypeInvalid", "must be of type string")]
    [InlineData("""{"spec":{"size":1,"port":true}}""", "spec.port", "FieldValueTypeInvalid", "int-or-string")]
    public void Invalid_fields_are_reported_with_their_path(string json, string field, string reason, string detail)
    {
        var result = Schema().Check(Obj(json));
        var error = Assert.Single(result.Errors);
        Assert.Equal(field, error.Field);
        Assert.Equal(reason, error.Reason);
        Assert.Contains(detail, error.Detail);
    }

    [Fact]
    public void Int_or_string_accepts_both()
    {
        Assert.Empty(Schema().Check(Obj("""{"spec":{"size":1,"port":8080}}""")).Errors);
        Assert.Empty(Schema().Check(Obj("""{"spec":{"size":1,"port":"http"}}""")).Errors);
    }

    [Fact]
    public void Null_in_a_non_nullable_field_is_dropped_not_an_error()
    {
        var obj = Obj("""{"spec":{"size":1,"name":null}}""");
        Assert.Empty(Schema().Check(obj).Errors);
        Assert.False(((JsonObject)obj["spec"]!).ContainsKey("name"));
    }

    [Theory]
    [InlineData("my-job.v1", true)]
    [InlineData("MyJob", false)]
    [InlineData("-x", false)]
    [InlineData("a_b", false)]
    public void Object_names_follow_dns_subdomain_rules(string name, bool valid) =>
        Assert.Equal(valid, ObjectNames.CheckName(name) is null);

    [Fact]
    public void Generated_names_append_five_characters()
    {
        var name = ObjectNames.Generate("trainer-");
        Assert.StartsWith("trainer-", name);
        Assert.Equal(13, name.Length);
        Assert.Null(ObjectNames.CheckName(name));
    }
}
