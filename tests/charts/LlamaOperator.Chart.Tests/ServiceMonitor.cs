using System.Text.Json.Serialization;
using k8s.Models;

namespace LlamaOperator.Chart.Tests;

/// <summary>prometheus-operator's monitoring.coreos.com/v1 ServiceMonitor.</summary>
public sealed class ServiceMonitor : CustomObject<ServiceMonitorSpec>
{
    public const string ApiVersionAndKind = "monitoring.coreos.com/v1/ServiceMonitor";
}

public sealed class ServiceMonitorSpec
{
    [JsonPropertyName("selector")]
    public V1LabelSelector Selector { get; set; } = new();

    [JsonPropertyName("namespaceSelector")]
    public ServiceMonitorNamespaceSelector? NamespaceSelector { get; set; }

    [JsonPropertyName("endpoints")]
    public IList<ServiceMonitorEndpoint> Endpoints { get; set; } = [];
}

public sealed class ServiceMonitorNamespaceSelector
{
    [JsonPropertyName("matchNames")]
    public IList<string> MatchNames { get; set; } = [];
}

public sealed class ServiceMonitorEndpoint
{
    [JsonPropertyName("port")]
    public string Port { get; set; } = "";

    [JsonPropertyName("path")]
    public string Path { get; set; } = "";

    [JsonPropertyName("interval")]
    public string Interval { get; set; } = "";

    [JsonPropertyName("scrapeTimeout")]
    public string ScrapeTimeout { get; set; } = "";
}
