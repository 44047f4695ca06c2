using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s;

namespace LlamaOperator.DevCluster.Tests.Admission;

/// <summary>
/// ValidatingWebhookConfigurations as kube-apiserver honours them: the matching webhook gets an AdmissionReview of the
/// object as it would be stored, its denial reaches the client with the webhook's code, message and causes, and
/// failurePolicy, timeoutSeconds, caBundle and the selectors decide as on a real server.
/// </summary>
public class ValidatingAdmissionTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>, IAsyncLifetime
{
    private TestWebhook _webhook = null!;
    private string _configuration = "";

    public async Task InitializeAsync() => _webhook = await TestWebhook.StartAsync();

    public async Task DisposeAsync()
    {
        if (_configuration.Length > 0)
        {
            await fixture.Client.AdmissionregistrationV1.DeleteValidatingWebhookConfigurationAsync(_configuration);
        }
        await _webhook.DisposeAsync();
    }

    private async Task RegisterAsync(JsonObject configuration)
    {
        _configuration = (string)configuration["metadata"]!["name"]!;
        using var http = new HttpClient { BaseAddress = fixture.Cluster.BaseUrl };
        using var created = await http.PostAsync(new Uri("/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", UriKind.Relative), new StringContent(configuration.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    private static JsonObject Deny(string message) => new()
    {
        ["allowed"] = false,
        ["status"] = new JsonObject
        {
            ["status"] = "Failure",
            ["code"] = 422,
            ["reason"] = "Invalid",
            ["message"] = message,
            ["details"] = new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["reason"] = "FieldValueInvalid", ["field"] = "spec.size", ["message"] = "must be even" }) },
        },
    };

    [Fact]
    public async Task A_denial_reaches_the_client_and_nothing_is_stored()
    {
        var ns = await fixture.NewNamespaceAsync();
        _webhook.Answer = r => (int)r["object"]!["spec"]!["size"]! % 2 == 0 ? new JsonObject { ["allowed"] = true } : Deny("spec.size: must be even");
        await RegisterAsync(_webhook.Configuration("deny-odd"));

        var status = await ApiErrors.Expect((HttpStatusCode)422, () => Widgets.CreateAsync(fixture.Client, ns, "odd", size: 3));

        Assert.Equal("admission webhook \"widgets.example.dev\" denied the request: spec.size: must be even", (string?)status["message"]);
        Assert.Equal("Invalid", (string?)status["reason"]);
        Assert.Equal("spec.size", (string?)status["details"]!["causes"]![0]!["field"]);
        await ApiErrors.Expect(HttpStatusCode.NotFound, () => Widgets.GetAsync(fixture.Client, ns, "odd"));

        var review = Assert.Single(_webhook.Reviews);
        Assert.Equal(("admission.k8s.io/v1", "AdmissionReview"), ((string?)review["apiVersion"], (string?)review["kind"]));
        var request = review["request"]!;
        Assert.Equal(("CREATE", ns, "odd"), ((string?)request["operation"], (string?)request["namespace"], (string?)request["name"]));
        Assert.Equal("widgets", (string?)request["resource"]!["resource"]);
        Assert.Equal("Widget", (string?)request["object"]!["kind"]);
        Assert.Null(request["oldObject"]);

        await Widgets.CreateAsync(fixture.Client, ns, "even", size: 4);
    }

    [Fact]
    public async Task Updates_and_patches_are_reviewed_with_the_old_object()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Widgets.CreateAsync(fixture.Client, ns, "w", size: 2);
        _webhook.Answer = r => (int)r["object"]!["spec"]!["size"]! > 5
            ? Deny("spec.size: too big")
            : new JsonObject { ["allowed"] = true, ["warnings"] = new JsonArray("spec.size: small") };
        await RegisterAsync(_webhook.Configuration("deny-big"));

        var status = await ApiErrors.Expect((HttpStatusCode)422, () => Widgets.PatchAsync(fixture.Client, ns, "w", """{"spec":{"size":9}}"""));
        Assert.Contains("denied the request: spec.size: too big", (string?)status["message"], StringComparison.Ordinal);
        Assert.Equal(2, (int)(await Widgets.GetAsync(fixture.Client, ns, "w"))["spec"]!["size"]!);
        var request = _webhook.Reviews.Last()["request"]!;
        Assert.Equal(("UPDATE", 9, 2), ((string?)request["operation"], (int)request["object"]!["spec"]!["size"]!, (int)request["oldObject"]!["spec"]!["size"]!));

        using var http = new HttpClient { BaseAddress = fixture.Cluster.BaseUrl };
        var current = await Widgets.GetAsync(fixture.Client, ns, "w");
        current["spec"]!["size"] = 4;
        using var put = await http.PutAsync(new Uri($"/apis/example.dev/v1/namespaces/{ns}/widgets/w", UriKind.Relative), new StringContent(current.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Contains(put.Headers.GetValues("Warning"), w => w.Contains("spec.size: small", StringComparison.Ordinal));
        Assert.Equal(4, (int)(await Widgets.GetAsync(fixture.Client, ns, "w"))["spec"]!["size"]!);

        var reviews = _webhook.Reviews.Count;
        await Widgets.PatchAsync(fixture.Client, ns, "w", """{"status":{"phase":"Big"}}""", status: true);
        Assert.Equal(reviews, _webhook.Reviews.Count); // the status subresource is not a rule's "widgets"
    }

    [Fact]
    public async Task A_webhook_that_cannot_be_called_fails_the_request_under_Fail_and_is_skipped_under_Ignore()
    {
        var ns = await fixture.NewNamespaceAsync();
        await RegisterAsync(_webhook.Configuration("unreachable", url: "https://127.0.0.1:1/validate"));

        var status = await ApiErrors.Expect(HttpStatusCode.InternalServerError, () => Widgets.CreateAsync(fixture.Client, ns, "a", size: 1));
        Assert.StartsWith("Internal error occurred: failed calling webhook \"widgets.example.dev\": failed to call webhook: Post \"https://127.0.0.1:1/validate?timeout=10s\"", (string?)status["message"], StringComparison.Ordinal);

        await fixture.Client.AdmissionregistrationV1.DeleteValidatingWebhookConfigurationAsync(_configuration);
        await RegisterAsync(_webhook.Configuration("unreachable-ignored", failurePolicy: "Ignore", url: "https://127.0.0.1:1/validate"));
        await Widgets.CreateAsync(fixture.Client, ns, "a", size: 1);
    }

    [Fact]
    public async Task The_webhooks_certificate_must_chain_to_the_ca_bundle()
    {
        var ns = await fixture.NewNamespaceAsync();
        await RegisterAsync(_webhook.Configuration("foreign-ca", caBundle: TestWebhook.ForeignCaBundle()));

        var status = await ApiErrors.Expect(HttpStatusCode.InternalServerError, () => Widgets.CreateAsync(fixture.Client, ns, "a", size: 2));

        Assert.Contains("failed calling webhook", (string?)status["message"], StringComparison.Ordinal);
        Assert.Empty(_webhook.Reviews);
    }

    [Fact]
    public async Task A_slow_webhook_times_out_after_timeoutSeconds()
    {
        var ns = await fixture.NewNamespaceAsync();
        _webhook.Delay = TimeSpan.FromSeconds(5);
        await RegisterAsync(_webhook.Configuration("slow", timeoutSeconds: 1));

        var watch = Stopwatch.StartNew();
        var status = await ApiErrors.Expect(HttpStatusCode.InternalServerError, () => Widgets.CreateAsync(fixture.Client, ns, "a", size: 2));

        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(4));
        Assert.EndsWith("context deadline exceeded", (string?)status["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Selectors_limit_the_webhook_to_matching_namespaces_and_objects()
    {
        var ns = await fixture.NewNamespaceAsync();
        _webhook.Answer = _ => Deny("no");
        await RegisterAsync(_webhook.Configuration("selective",
            namespaceSelector: new JsonObject { ["matchLabels"] = new JsonObject { ["guarded"] = "true" } },
            objectSelector: new JsonObject { ["matchExpressions"] = new JsonArray(new JsonObject { ["key"] = "skip", ["operator"] = "DoesNotExist" }) }));

        await Widgets.CreateAsync(fixture.Client, ns, "unguarded-namespace", size: 1);
        await fixture.Client.CoreV1.PatchNamespaceAsync(new k8s.Models.V1Patch("""{"metadata":{"labels":{"guarded":"true"}}}""", k8s.Models.V1Patch.PatchType.MergePatch), ns);
        await Widgets.CreateAsync(fixture.Client, ns, "skipped", size: 1, metadataExtra: ""","labels":{"skip":"yes"}""");
        await ApiErrors.Expect((HttpStatusCode)422, () => Widgets.CreateAsync(fixture.Client, ns, "guarded", size: 1));
        Assert.Single(_webhook.Reviews);
    }
}
