using System.Text;
using LlamaOperator.DevCluster.Resources;
using LlamaOperator.DevCluster.Server;
using LlamaOperator.DevCluster.Store;

namespace LlamaOperator.DevCluster.Tests.Server;

public class ProtobufBodiesTests
{
    private static byte[] Field(int number, byte[] payload) => [(byte)((number << 3) | 2), (byte)payload.Length, .. payload];

    private static byte[] Text(int number, string text) => Field(number, Encoding.UTF8.GetBytes(text));

    private static byte[] Entry(int number, string key, byte[] value) => Field(number, [.. Text(1, key), .. Field(2, value)]);

    private static byte[] Envelope(byte[] raw) => [.. "k8s\0"u8.ToArray(), .. Field(1, [.. Text(1, "v1"), .. Text(2, "X")]), .. Field(2, raw)];

    [Fact]
    public void Decodes_a_secret_as_kubectl_create_secret_sends_it()
    {
        var metadata = Field(1, [.. Text(1, "s"), .. Entry(11, "team", "x"u8.ToArray())]);
        var body = Envelope([.. metadata, .. Entry(2, "token", "abc"u8.ToArray()), .. Text(3, "Opaque")]);
        var secret = ProtobufBodies.Decode(body, BuiltInKinds.Secrets);
        Assert.Equal("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s","labels":{"team":"x"}},"data":{"token":"YWJj"},"type":"Opaque"}""", secret.ToJsonString());
    }

    [Fact]
    public void Decodes_the_resource_version_an_update_carries()
    {
        // Helm updates its release Secret with a protobuf PUT that carries metadata.resourceVersion (field 6).
        var body = Envelope(Field(1, [.. Text(1, "sh.helm.release.v1.rel.v1"), .. Text(3, "ops"), .. Text(6, "42")]));
        var secret = ProtobufBodies.Decode(body, BuiltInKinds.Secrets);
        Assert.Equal("42", (string?)secret["metadata"]!["resourceVersion"]);
        Assert.Equal("ops", (string?)secret["metadata"]!["namespace"]);
    }

    [Fact]
    public void Decodes_delete_options()
    {
        // gracePeriodSeconds 300 (varint 0xAC 0x02), preconditions.uid, propagationPolicy Background.
        byte[] raw = [0x08, 0xAC, 0x02, .. Field(2, Text(1, "u-1")), .. Text(4, "Background")];
        var options = ProtobufBodies.DecodeDeleteOptions(Envelope(raw));
        Assert.Equal("""{"gracePeriodSeconds":300,"preconditions":{"uid":"u-1"},"propagationPolicy":"Background"}""", options.ToJsonString());
    }

    [Fact]
    public void Other_kinds_are_415()
    {
        var error = Assert.Throws<ApiException>(() => ProtobufBodies.Decode(Envelope(Field(1, Text(1, "p"))), BuiltInKinds.Pods));
        Assert.Equal(415, error.Code);
    }
}
